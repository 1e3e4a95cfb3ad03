// The point kernels of point-ops.wgsl in the registers form (curve-registers.wgsl): the same entry points,
// bindings and results. Needs curve-registers.wgsl and what it needs, and elementwise.wgsl, in front.

fn load_point(from_b: bool, i: u32) -> Pt {
  var p: Pt;
  for (var c = 0u; c < 3u * PT_W; c++) {
    var w: array<u32, 12>;
    for (var k = 0u; k < 12u; k++) {
      let at = (i * 3u * PT_W + c) * 12u + k;
      w[k] = select(a_in[at], b_in[at], from_b);
    }
    p[c] = fq_from_words(w);
  }
  return p;
}

fn store_point(i: u32, p: Pt) {
  for (var c = 0u; c < 3u * PT_W; c++) {
    let w = fq_to_words(p[c]);
    for (var k = 0u; k < 12u; k++) {
      out[(i * 3u * PT_W + c) * 12u + k] = w[k];
    }
  }
}

// out[2i] = a + b, out[2i+1] = 2a
@compute @workgroup_size(PT_GROUP)
fn pt_ops(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  let a = load_point(false, i);
  store_point(2u * i, pt_add(a, load_point(true, i)));
  store_point(2u * i + 1u, pt_double(a));
}

// a + b, then `iters` more times + b: a chain of dependent additions for the microbenchmark
@compute @workgroup_size(PT_GROUP)
fn pt_add_chain(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  var acc = load_point(false, i);
  let b = load_point(true, i);
  for (var k = 0u; k < params.iters; k++) {
    acc = pt_add(acc, b);
  }
  store_point(i, acc);
}
