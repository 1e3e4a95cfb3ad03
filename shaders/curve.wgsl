// Points of G1 (over Fq) or G2 (over Fq2) on fq-slots.wgsl's register file: homogeneous projective
// (X : Y : Z) in Montgomery form, the identity (0 : 1 : 0). A coordinate is PT_W consecutive slots (1 for
// Fq; 2 for Fq2, c0 then c1), a point 3 * PT_W. The formulas are programs of Fq slot operations
// (src/backends/webgpu/curve-program.ts, which expands Fq2 arithmetic into them and emits PT_PROGRAM, the
// slot numbers and the constants) run by pt_run: a kernel inlines this interpreter once, whatever it adds
// and doubles, so that llvmpipe compiles one multiplication.
// Needs fq.wgsl, the generated prelude and fq-slots.wgsl in front.

// Runs PT_PROGRAM[start..end): P = P + Q (PT_ADD_*) or P = 2P (PT_DOUBLE_*).
fn pt_run(start: u32, end: u32) {
  let prog = PT_PROGRAM;
  for (var pc = start; pc < end; pc++) {
    let ins = prog[pc];
    let d = (ins >> 8u) & 0xffu;
    let a = (ins >> 16u) & 0xffu;
    let b = ins >> 24u;
    switch (ins & 0xffu) {
      case 0u: {
        fs_mul(d, a, b);
      }
      case 1u: {
        fs_add(d, a, b);
      }
      case 2u: {
        fs_sub(d, a, b);
      }
      default: {
        fs_copy(d, a);
      }
    }
  }
}

fn pt_add() {
  pt_run(PT_ADD_START, PT_ADD_END);
}

fn pt_double() {
  pt_run(PT_DOUBLE_START, PT_DOUBLE_END);
}

fn fs_set_one(d: u32) {
  let one = FQ_ONE_MONT;
  for (var i = 0u; i < 24u; i++) {
    fs[fb + d * 24u + i] = one[i];
  }
}

// The constants' slots (3b, every component of it 12, and zero); every kernel calls this first.
fn pt_init() {
  let b3 = FQ_B3_MONT;
  for (var w = 0u; w < PT_W; w++) {
    for (var i = 0u; i < 24u; i++) {
      fs[fb + (SLOT_B3 + w) * 24u + i] = b3[i];
    }
  }
  fs_zero(SLOT_ZERO);
}

// The field's one at coordinate slots c: c0 = 1, c1 = 0.
fn pt_set_coord_one(c: u32) {
  fs_set_one(c);
  for (var w = 1u; w < PT_W; w++) {
    fs_zero(c + w);
  }
}

fn pt_set_identity(p: u32) {
  for (var w = 0u; w < 3u * PT_W; w++) {
    fs_zero(p + w);
  }
  pt_set_coord_one(p + PT_W);
}

fn pt_copy(d: u32, a: u32) {
  for (var w = 0u; w < 3u * PT_W; w++) {
    fs_copy(d + w, a + w);
  }
}

// y = -y, which negates a projective point.
fn pt_negate(p: u32) {
  for (var w = 0u; w < PT_W; w++) {
    fs_sub(p + PT_W + w, SLOT_ZERO, p + PT_W + w);
  }
}
