// Field kernels for tests and the microbenchmark, a template as field.wgsl is (instantiated after it);
// needs elementwise.wgsl.

fn load_a(i: u32) -> Field {
  var w: array<u32, FIELD_WORDS>;
  for (var k = 0u; k < FIELD_WORDS; k++) {
    w[k] = a_in[i * FIELD_WORDS + k];
  }
  return field_from_words(w);
}

fn load_b(i: u32) -> Field {
  var w: array<u32, FIELD_WORDS>;
  for (var k = 0u; k < FIELD_WORDS; k++) {
    w[k] = b_in[i * FIELD_WORDS + k];
  }
  return field_from_words(w);
}

fn store_out(i: u32, a: Field) {
  let w = field_to_words(a);
  for (var k = 0u; k < FIELD_WORDS; k++) {
    out[i * FIELD_WORDS + k] = w[k];
  }
}

// out[3i..3i+3] = a+b, a-b, a*b/R
@compute @workgroup_size(64)
fn field_ops(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  let a = load_a(i);
  let b = load_b(i);
  store_out(3u * i, field_add(a, b));
  store_out(3u * i + 1u, field_sub(a, b));
  store_out(3u * i + 2u, field_mont_mul(a, b));
}

// a chain of `iters` dependent multiplications per thread: the compiler can neither skip nor overlap them
@compute @workgroup_size(64)
fn field_mul_chain(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) {
    return;
  }
  var x = load_a(i);
  let b = load_b(i);
  for (var k = 0u; k < params.iters; k++) {
    x = field_mont_mul(x, b);
  }
  store_out(i, x);
}
