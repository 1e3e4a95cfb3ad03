// Fq kernels for tests and the microbenchmark; needs fq.wgsl in front (fr-ops.wgsl at 12 words).

struct Params {
  count: u32,
  iters: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a_in: array<u32>;
@group(0) @binding(1) var<storage, read> b_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

fn load_a(i: u32) -> Fq {
  var w: array<u32, 12>;
  for (var k = 0u; k < 12u; k++) {
    w[k] = a_in[i * 12u + k];
  }
  return fq_from_words(w);
}

fn load_b(i: u32) -> Fq {
  var w: array<u32, 12>;
  for (var k = 0u; k < 12u; k++) {
    w[k] = b_in[i * 12u + k];
  }
  return fq_from_words(w);
}

fn store_out(i: u32, a: Fq) {
  let w = fq_to_words(a);
  for (var k = 0u; k < 12u; k++) {
    out[i * 12u + k] = w[k];
  }
}

// out[3i..3i+3] = a+b, a-b, a*b/R
@compute @workgroup_size(64)
fn fq_ops(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  let a = load_a(i);
  let b = load_b(i);
  store_out(3u * i, fq_add(a, b));
  store_out(3u * i + 1u, fq_sub(a, b));
  store_out(3u * i + 2u, fq_mont_mul(a, b));
}

// a chain of `iters` dependent multiplications per thread: the compiler can neither skip nor overlap them
@compute @workgroup_size(64)
fn fq_mul_chain(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  var x = load_a(i);
  let b = load_b(i);
  for (var k = 0u; k < params.iters; k++) {
    x = fq_mont_mul(x, b);
  }
  store_out(i, x);
}
