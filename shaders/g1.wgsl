// G1 points on fq-slots.wgsl's register file: homogeneous projective (X : Y : Z) in Montgomery form, the
// identity (0 : 1 : 0). A point occupies three consecutive slots. The formulas are programs of slot
// operations (src/backends/webgpu/g1-program.ts, which also emits G1_PROGRAM and the constants) run by
// g1_run: a kernel inlines this interpreter once, whatever it adds and doubles.
// Needs fq.wgsl, the generated prelude and fq-slots.wgsl in front.

const G1_P = 0u;
const G1_Q = 3u;
const SLOT_B3 = 14u;
const SLOT_ZERO = 15u;
const G1_A = 16u;
const G1_B = 19u;

// Runs G1_PROGRAM[start..end): P = P + Q (G1_ADD_*) or P = 2P (G1_DOUBLE_*), through X3.. and t0.. .
fn g1_run(start: u32, end: u32) {
  let prog = G1_PROGRAM;
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

fn g1_add() {
  g1_run(G1_ADD_START, G1_ADD_END);
}

fn g1_double() {
  g1_run(G1_DOUBLE_START, G1_DOUBLE_END);
}

// The constants' slots; every kernel calls this first.
fn g1_init() {
  let b3 = FQ_B3_MONT;
  for (var i = 0u; i < 24u; i++) {
    fs[fb + SLOT_B3 * 24u + i] = b3[i];
    fs[fb + SLOT_ZERO * 24u + i] = 0u;
  }
}

fn fs_set_one(d: u32) {
  let one = FQ_ONE_MONT;
  for (var i = 0u; i < 24u; i++) {
    fs[fb + d * 24u + i] = one[i];
  }
}

fn g1_set_identity(p: u32) {
  fs_zero(p);
  fs_set_one(p + 1u);
  fs_zero(p + 2u);
}

fn g1_copy(d: u32, a: u32) {
  fs_copy(d, a);
  fs_copy(d + 1u, a + 1u);
  fs_copy(d + 2u, a + 2u);
}

// y = -y, which negates a projective point.
fn g1_negate(p: u32) {
  fs_sub(p + 1u, SLOT_ZERO, p + 1u);
}
