// Points of G1 (over Fq) or G2 (over Fq2) in registers: the registers form of curve.wgsl, for hardware
// adapters. A point is a Pt of 3 * PT_W Fq by value, homogeneous projective (X : Y : Z) in Montgomery
// form (R = 2^384 in either Fq layout it is built on), the identity (0 : 1 : 0). pt_add and pt_double are
// the formulas of src/backends/webgpu/curve-program.ts as straight-line functions over locals (emitted in
// the prelude): no interpreter and no workgroup register file, so a workgroup is as wide as the kernel
// wants and the compiler sees every operand. llvmpipe takes a minute or more to compile each kernel in
// this form (one inlined multiplication per product): CI runs it for G1, the GPU for both groups.
// Needs an Fq layout (fq.limb16.wgsl or fq.word32.wgsl) and the prelude in front.

fn fq_one() -> Fq {
  return fq_from_words(FQ_ONE_WORDS);
}

fn pt_identity() -> Pt {
  var p: Pt;
  p[PT_W] = fq_one();
  return p;
}

// y = -y, which negates a projective point.
fn pt_negate(p: Pt) -> Pt {
  var r = p;
  for (var w = 0u; w < PT_W; w++) {
    r[PT_W + w] = fq_sub(Fq(), p[PT_W + w]);
  }
  return r;
}
