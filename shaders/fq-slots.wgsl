// Fq arithmetic on a per-invocation register file of FQ_SLOTS elements (24 x 16-bit limbs each, fq.wgsl's
// layout and CIOS), addressed by slot number. Why: Mesa's GLSL path (llvmpipe) lowers fq.wgsl's
// array-by-value arguments and results into copies of every temporary, and a point formula built from them
// took minutes to compile; here no Fq value is ever passed, and a formula is a list of slot operations run
// by g1.wgsl's interpreter, so the multiplication is compiled once per kernel, not once per use.
//
// The file lives in workgroup memory, FS_STRIDE words per invocation from `fb`: a dynamically indexed
// private array is lowered by Mesa into a ladder of compares over every element (8 s to compile one
// addition), workgroup memory into plain loads and stores (0.3 s). Kernels run FS_GROUP invocations a
// workgroup (what the adapter's workgroup storage holds) and call fs_bind first.
// Needs fq.wgsl (FQ_P, FQ_NPRIME), FQ_SLOTS and FS_GROUP in front.

const FS_STRIDE = FQ_SLOTS * 24u;
var<workgroup> fs: array<u32, FS_GROUP * FS_STRIDE>;
var<private> fb: u32;

// Loop bounds stay constants, so that Mesa unrolls the limb loops: llvmpipe ends a loop silently after
// 65535 iterations of the loops inside it (gallivm's loop limiter), and with the limb count passed in at
// run time (three times faster to compile) a chain of more than three additions already went past it.
fn fs_bind(local_index: u32) {
  fb = local_index * FS_STRIDE;
}

fn fs_copy(d: u32, a: u32) {
  for (var i = 0u; i < 24u; i++) {
    fs[fb + d * 24u + i] = fs[fb + a * 24u + i];
  }
}

fn fs_zero(d: u32) {
  for (var i = 0u; i < 24u; i++) {
    fs[fb + d * 24u + i] = 0u;
  }
}

fn fs_is_zero(a: u32) -> bool {
  var acc = 0u;
  for (var i = 0u; i < 24u; i++) {
    acc |= fs[fb + a * 24u + i];
  }
  return acc == 0u;
}

// d = t - q when t >= q, else t; t < 2q, 24 limbs.
fn fs_store_reduced(d: u32, t: ptr<function, array<u32, 26>>) {
  let p = FQ_P;
  var u: array<u32, 24>;
  var borrow = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = (*t)[i] + 0x10000u - p[i] - borrow;
    u[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  let keep = 0u - borrow;
  for (var i = 0u; i < 24u; i++) {
    fs[fb + d * 24u + i] = ((*t)[i] & keep) | (u[i] & ~keep);
  }
}

fn fs_add(d: u32, a: u32, b: u32) {
  var t: array<u32, 26>;
  var c = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = fs[fb + a * 24u + i] + fs[fb + b * 24u + i] + c;
    t[i] = x & 0xffffu;
    c = x >> 16u;
  }
  fs_store_reduced(d, &t);
}

fn fs_sub(d: u32, a: u32, b: u32) {
  var t: array<u32, 26>;
  var borrow = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = fs[fb + a * 24u + i] + 0x10000u - fs[fb + b * 24u + i] - borrow;
    t[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  // add q back under the borrow's mask: branch-free, the lanes stay in step
  let p = FQ_P;
  let m = 0u - borrow;
  var c = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = t[i] + (p[i] & m) + c;
    fs[fb + d * 24u + i] = x & 0xffffu;
    c = x >> 16u;
  }
}

// d = a * b / R mod q (CIOS); d may be a or b.
fn fs_mul(d: u32, a: u32, b: u32) {
  let p = FQ_P;
  var t: array<u32, 26>;
  for (var i = 0u; i < 24u; i++) {
    var c = 0u;
    let bi = fs[fb + b * 24u + i];
    for (var j = 0u; j < 24u; j++) {
      let x = t[j] + fs[fb + a * 24u + j] * bi + c;
      t[j] = x & 0xffffu;
      c = x >> 16u;
    }
    let x24 = t[24] + c;
    t[24] = x24 & 0xffffu;
    t[25] = x24 >> 16u;
    let m = (t[0] * FQ_NPRIME) & 0xffffu;
    c = (t[0] + m * p[0]) >> 16u;
    for (var j = 1u; j < 24u; j++) {
      let y = t[j] + m * p[j] + c;
      t[j - 1u] = y & 0xffffu;
      c = y >> 16u;
    }
    let y24 = t[24] + c;
    t[23] = y24 & 0xffffu;
    t[24] = t[25] + (y24 >> 16u);
  }
  fs_store_reduced(d, &t);
}
