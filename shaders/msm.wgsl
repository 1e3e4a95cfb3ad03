// The MSM kernels of G1 and G2 that add points, on the slot file (src/backends/webgpu/msm.ts runs them):
// each calls pt_run once, so that llvmpipe compiles the interpreter once. Needs curve.wgsl and what it
// needs in front, then msm-common.wgsl (layouts, bindings, the digits and the sort).

// Slots from p on from table point i: (x : y : 1), or (0 : 1 : 0) for the all-zero identity; false for
// the identity.
fn load_affine(p: u32, i: u32) -> bool {
  var any = 0u;
  for (var c = 0u; c < AFFINE_FQ; c++) {
    for (var k = 0u; k < 12u; k++) {
      let w = table[(i * AFFINE_FQ + c) * 12u + k];
      fs[fb + (p + c) * 24u + 2u * k] = w & 0xffffu;
      fs[fb + (p + c) * 24u + 2u * k + 1u] = w >> 16u;
      any |= w;
    }
  }
  if (any == 0u) {
    pt_set_identity(p);
    return false;
  }
  pt_set_coord_one(p + 2u * PT_W);
  return true;
}

// Whether coordinate slots c (PT_W of them) are zero.
fn coord_is_zero(c: u32) -> bool {
  var zero = true;
  for (var w = 0u; w < PT_W; w++) {
    zero = zero && fs_is_zero(c + w);
  }
  return zero;
}

fn load_projective(p: u32, i: u32) {
  for (var c = 0u; c < POINT_FQ; c++) {
    for (var k = 0u; k < 12u; k++) {
      let w = sums_in[(i * POINT_FQ + c) * 12u + k];
      fs[fb + (p + c) * 24u + 2u * k] = w & 0xffffu;
      fs[fb + (p + c) * 24u + 2u * k + 1u] = w >> 16u;
    }
  }
}

fn store_projective(i: u32, p: u32) {
  for (var c = 0u; c < POINT_FQ; c++) {
    for (var k = 0u; k < 12u; k++) {
      let lo = fs[fb + (p + c) * 24u + 2u * k];
      let hi = fs[fb + (p + c) * 24u + 2u * k + 1u];
      sums_out[(i * POINT_FQ + c) * 12u + k] = lo | (hi << 16u);
    }
  }
}

// table_out[base + i] = raw point i in Montgomery form (x * R^2 / R); the identity all zero.
@compute @workgroup_size(FS_GROUP)
fn to_montgomery(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  fs_bind(li);
  let r2 = FQ_R2_MONT;
  for (var k = 0u; k < 24u; k++) {
    fs[fb + 24u + k] = r2[k];
  }
  let infinity = raw_infinity(i);
  for (var c = 0u; c < AFFINE_FQ; c++) {
    let w = raw_fq(i, c);
    for (var k = 0u; k < 12u; k++) {
      fs[fb + 2u * k] = w[k] & 0xffffu;
      fs[fb + 2u * k + 1u] = w[k] >> 16u;
    }
    fs_mul(0u, 0u, 1u);
    for (var k = 0u; k < 12u; k++) {
      let m = fs[fb + 2u * k] | (fs[fb + 2u * k + 1u] << 16u);
      table_out[((params.base + i) * AFFINE_FQ + c) * 12u + k] = select(m, 0u, infinity);
    }
  }
}

// sums_out[t] = sum of the table points of chunk t's entries (the sign bit negates): one thread a chunk
// of a bucket, or of the 0/1 scalars' bases; a bucket's chunks are summed by sum_partials, so that a
// bucket that skewed scalars fill is not one thread's work. The sum is kept in XYZZ coordinates (P's X, Y,
// Z as X, Y, ZZ and W1 as ZZZ; curve-program.ts) and made projective at the end, in one more pass of the
// loop: its steps are pt_run's one call site. `live` is false while the sum is the identity.
@compute @workgroup_size(FS_GROUP)
fn sum_entries(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  let chunk = chunk_of(t);
  if (!chunk.live) {
    return;
  }
  fs_bind(li);
  pt_init();
  var live = false;
  for (var e = chunk.lo; e <= chunk.hi; e++) {
    var start = PT_XYZZ_OUT_START;
    var end = PT_XYZZ_OUT_END;
    var steps = 1u;
    if (e < chunk.hi) {
      let entry = entries[e];
      if (!load_affine(PT_Q, entry & ~SIGN)) {
        continue;
      }
      if ((entry & SIGN) != 0u) {
        pt_negate(PT_Q);
      }
      if (!live) {
        // the first point: (x, y, 1, 1)
        pt_copy(PT_P, PT_Q);
        pt_set_coord_one(SLOT_W1);
        live = true;
        continue;
      }
      start = PT_XYZZ_ADD_START;
      end = PT_XYZZ_ADD_END;
      steps = 2u;
    } else if (!live) {
      break;
    }
    for (var step = 0u; step < steps; step++) {
      pt_run(start, end);
      if (step + 1u < steps) {
        if (!coord_is_zero(SLOT_XYZZ_P)) {
          start = PT_XYZZ_REST_START;
          end = PT_XYZZ_REST_END;
        } else if (coord_is_zero(SLOT_XYZZ_R)) {
          // the same point again
          start = PT_XYZZ_DOUBLE_START;
          end = PT_XYZZ_DOUBLE_END;
        } else {
          // its opposite: the identity
          live = false;
          break;
        }
      }
    }
  }
  if (!live) {
    pt_set_identity(PT_P);
  }
  store_projective(t, PT_P);
}

// Segment t = (w, s) of window w's buckets b = lo + 1 .. hi (lo = s * params.segment): its share
// sum (b * bucket(w, b)) of the window's sum, as T + lo * R with R = sum bucket(w, b) and
// T = sum (b - lo) * bucket(w, b). T and R come from running sums from the segment's top bucket down; lo * R
// by double-and-add. The windows' segments are then summed by sum_partials: a window's 2^(c-1) buckets
// spread over params.segments threads instead of one. Every step is one pt_run (the interpreter compiled
// once): its operands are what the step picks.
@compute @workgroup_size(FS_GROUP)
fn window_segments(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  fs_bind(li);
  pt_init();
  pt_set_identity(PT_A);
  pt_set_identity(PT_B);
  let seg = segment_of(t);
  for (var k = 0u; k < seg.steps; k++) {
    var start = PT_ADD_START;
    var end = PT_ADD_END;
    if (k < seg.running) {
      if ((k & 1u) == 0u) {
        // R (A) += bucket
        load_projective(PT_Q, seg.w * params.buckets + seg.hi - k / 2u);
        pt_copy(PT_P, PT_A);
      } else {
        // T (B) += R
        pt_copy(PT_Q, PT_A);
        pt_copy(PT_P, PT_B);
      }
    } else {
      if (k == seg.running) {
        pt_set_identity(PT_P);
      }
      let j = k - seg.running;
      if (j == 2u * seg.bits) {
        // P = seg.lo * R + T
        pt_copy(PT_Q, PT_B);
      } else if ((j & 1u) == 0u) {
        start = PT_DOUBLE_START;
        end = PT_DOUBLE_END;
      } else if (((seg.lo >> (seg.bits - 1u - j / 2u)) & 1u) == 1u) {
        pt_copy(PT_Q, PT_A);
      } else {
        pt_set_identity(PT_Q);
      }
    }
    pt_run(start, end);
    if (k < seg.running) {
      pt_copy(select(PT_A, PT_B, (k & 1u) == 1u), PT_P);
    }
  }
  store_projective(t, PT_P);
}

// sums_out[t] = sum of the projective sums_in of chunk t: the next level of sum_entries.
@compute @workgroup_size(FS_GROUP)
fn sum_partials(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = thread(gid);
  if (t >= params.count) {
    return;
  }
  let chunk = chunk_of(t);
  if (!chunk.live) {
    return;
  }
  fs_bind(li);
  pt_init();
  pt_set_identity(PT_P);
  for (var j = chunk.lo; j < chunk.hi; j++) {
    load_projective(PT_Q, j);
    pt_add();
  }
  store_projective(t, PT_P);
}
