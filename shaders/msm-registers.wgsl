// The MSM kernels of msm.wgsl in the registers form (curve-registers.wgsl): the same entry points and
// steps, points by value. src/backends/webgpu/msm.ts runs either form. Needs curve-registers.wgsl and
// what it needs in front, then msm-common.wgsl.

// Table point i: (x : y : 1), or (0 : 1 : 0) for the all-zero identity.
fn load_affine(i: u32) -> Pt {
  var p: Pt;
  var any = 0u;
  for (var c = 0u; c < AFFINE_FQ; c++) {
    var w: array<u32, 12>;
    for (var k = 0u; k < 12u; k++) {
      w[k] = table[(i * AFFINE_FQ + c) * 12u + k];
      any |= w[k];
    }
    p[c] = fq_from_words(w);
  }
  if (any == 0u) {
    return pt_identity();
  }
  p[2u * PT_W] = fq_one();
  return p;
}

// Whether a is zero (the layouts keep values reduced).
fn fq_is_zero(a: Fq) -> bool {
  let words = fq_to_words(a);
  var any = 0u;
  for (var k = 0u; k < 12u; k++) {
    any |= words[k];
  }
  return any == 0u;
}

// Whether the PT_W slots of s from c are zero.
fn xs_is_zero(s: Xs, c: u32) -> bool {
  var zero = true;
  for (var w = 0u; w < PT_W; w++) {
    zero = zero && fq_is_zero(s[c + w]);
  }
  return zero;
}

fn load_projective(i: u32) -> Pt {
  var p: Pt;
  for (var c = 0u; c < POINT_FQ; c++) {
    var w: array<u32, 12>;
    for (var k = 0u; k < 12u; k++) {
      w[k] = sums_in[(i * POINT_FQ + c) * 12u + k];
    }
    p[c] = fq_from_words(w);
  }
  return p;
}

fn store_projective(i: u32, p: Pt) {
  for (var c = 0u; c < POINT_FQ; c++) {
    let w = fq_to_words(p[c]);
    for (var k = 0u; k < 12u; k++) {
      sums_out[(i * POINT_FQ + c) * 12u + k] = w[k];
    }
  }
}

// table_out[base + i] = raw point i in Montgomery form (x * R^2 / R); the identity all zero.
@compute @workgroup_size(PT_GROUP)
fn to_montgomery(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  let r2 = fq_from_words(FQ_R2_WORDS);
  let infinity = raw_infinity(i);
  for (var c = 0u; c < AFFINE_FQ; c++) {
    var m = fq_to_words(fq_mont_mul(fq_from_words(raw_fq(i, c)), r2));
    if (infinity) {
      m = array<u32, 12>();
    }
    for (var k = 0u; k < 12u; k++) {
      table_out[((params.base + i) * AFFINE_FQ + c) * 12u + k] = m[k];
    }
  }
}

// sums_out[t] = sum of the table points of chunk t's entries (the sign bit negates), kept in XYZZ
// coordinates in the slot file s (curve-program.ts) and made projective at the end; `live` is false while
// the sum is the identity.
@compute @workgroup_size(PT_GROUP)
fn sum_entries(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  let chunk = chunk_of(t);
  if (!chunk.live) {
    return;
  }
  var s: Xs;
  var live = false;
  for (var e = chunk.lo; e < chunk.hi; e++) {
    let entry = entries[e];
    var q = load_affine(entry & ~SIGN);
    // Z's first component is zero for the identity alone (one otherwise)
    if (fq_is_zero(q[2u * PT_W])) {
      continue;
    }
    if ((entry & SIGN) != 0u) {
      q = pt_negate(q);
    }
    for (var w = 0u; w < PT_W; w++) {
      s[SLOT_X2 + w] = q[w];
      s[SLOT_Y2 + w] = q[PT_W + w];
    }
    if (!live) {
      // the first point: (x, y, 1, 1)
      for (var w = 0u; w < PT_W; w++) {
        s[SLOT_X1 + w] = q[w];
        s[SLOT_Y1 + w] = q[PT_W + w];
        s[SLOT_Z1 + w] = Fq();
        s[SLOT_W1 + w] = Fq();
      }
      s[SLOT_Z1] = fq_one();
      s[SLOT_W1] = fq_one();
      live = true;
      continue;
    }
    s = xyzz_add(s);
    if (!xs_is_zero(s, SLOT_XYZZ_P)) {
      s = xyzz_rest(s);
    } else if (xs_is_zero(s, SLOT_XYZZ_R)) {
      // the same point again
      s = xyzz_double(s);
    } else {
      // its opposite: the identity
      live = false;
    }
  }
  var acc = pt_identity();
  if (live) {
    s = xyzz_out(s);
    for (var c = 0u; c < 3u * PT_W; c++) {
      acc[c] = s[SLOT_X1 + c];
    }
  }
  store_projective(t, acc);
}

// Segment t = (w, s) of window w's buckets lo + 1 .. hi: T + lo * R as msm.wgsl's window_segments, with one
// call site each of the addition and the doubling (the step picks their operands).
@compute @workgroup_size(PT_GROUP)
fn window_segments(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  var sum_r = pt_identity();
  var sum_t = pt_identity();
  var acc = pt_identity();
  let seg = segment_of(t);
  for (var k = 0u; k < seg.steps; k++) {
    var x = acc;
    var y = pt_identity();
    var doubling = false;
    if (k < seg.running) {
      if ((k & 1u) == 0u) {
        // R += bucket
        x = sum_r;
        y = load_projective(seg.w * params.buckets + seg.hi - k / 2u);
      } else {
        // T += R
        x = sum_t;
        y = sum_r;
      }
    } else {
      let j = k - seg.running;
      if (j == 2u * seg.bits) {
        // seg.lo * R + T
        y = sum_t;
      } else if ((j & 1u) == 0u) {
        doubling = true;
      } else if (((seg.lo >> (seg.bits - 1u - j / 2u)) & 1u) == 1u) {
        y = sum_r;
      }
    }
    var r: Pt;
    if (doubling) {
      r = pt_double(x);
    } else {
      r = pt_add(x, y);
    }
    if (k >= seg.running) {
      acc = r;
    } else if ((k & 1u) == 0u) {
      sum_r = r;
    } else {
      sum_t = r;
    }
  }
  store_projective(t, acc);
}

// sums_out[t] = sum of the projective sums_in of chunk t: the next level of sum_entries.
@compute @workgroup_size(PT_GROUP)
fn sum_partials(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  let chunk = chunk_of(t);
  if (!chunk.live) {
    return;
  }
  var acc = pt_identity();
  for (var j = chunk.lo; j < chunk.hi; j++) {
    acc = pt_add(acc, load_projective(j));
  }
  store_projective(t, acc);
}
