// The point kernels of the tests and the microbenchmark on the slot file; needs curve.wgsl and what it
// needs, and elementwise.wgsl, in front.

fn load_a(p: u32, i: u32) {
  for (var c = 0u; c < 3u * PT_W; c++) {
    for (var k = 0u; k < 12u; k++) {
      let w = a_in[(i * 3u * PT_W + c) * 12u + k];
      fs[fb + (p + c) * 24u + 2u * k] = w & 0xffffu;
      fs[fb + (p + c) * 24u + 2u * k + 1u] = w >> 16u;
    }
  }
}

fn load_b(p: u32, i: u32) {
  for (var c = 0u; c < 3u * PT_W; c++) {
    for (var k = 0u; k < 12u; k++) {
      let w = b_in[(i * 3u * PT_W + c) * 12u + k];
      fs[fb + (p + c) * 24u + 2u * k] = w & 0xffffu;
      fs[fb + (p + c) * 24u + 2u * k + 1u] = w >> 16u;
    }
  }
}

fn store_out(i: u32, p: u32) {
  for (var c = 0u; c < 3u * PT_W; c++) {
    for (var k = 0u; k < 12u; k++) {
      out[(i * 3u * PT_W + c) * 12u + k] = fs[fb + (p + c) * 24u + 2u * k] | (fs[fb + (p + c) * 24u + 2u * k + 1u] << 16u);
    }
  }
}

// out[2i] = a + b, out[2i+1] = 2a
@compute @workgroup_size(FS_GROUP)
fn pt_ops(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  fs_bind(li);
  pt_init();
  // one call of the interpreter, so that it is compiled once
  for (var k = 0u; k < 2u; k++) {
    load_a(PT_P, i);
    load_b(PT_Q, i);
    pt_run(select(PT_ADD_START, PT_DOUBLE_START, k == 1u), select(PT_ADD_END, PT_DOUBLE_END, k == 1u));
    store_out(2u * i + k, PT_P);
  }
}

// a + b, then `iters` more times + b: a chain of dependent additions for the microbenchmark
@compute @workgroup_size(FS_GROUP)
fn pt_add_chain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  fs_bind(li);
  pt_init();
  load_a(PT_P, i);
  load_b(PT_Q, i);
  for (var k = 0u; k < params.iters; k++) {
    pt_add();
  }
  store_out(i, PT_P);
}
