// Radix-2 NTT over Fr, decimation in time after a bit-reversal permutation, as native/src/ntt.rs does:
// one dispatch per stage. Needs fr.wgsl in front. Twiddles are omega^j * R (Montgomery form), so the
// canonical data stays canonical through every butterfly.

struct Params {
  log_n: u32,
  // log2 of the half-block of this stage
  log_h: u32,
  // twiddle index step n / (2h)
  stride: u32,
  // threads this dispatch covers
  count: u32,
  // threads per row of a 2D dispatch: grids beyond maxComputeWorkgroupsPerDimension fold into y
  row: u32,
  // split transforms (a vector in parts of 2^b elements): the index of this part's first element (or of
  // its first twiddle, or the bit-reversal's base), the log2 of the low twiddle table's length, and the
  // bit-reversal's first source offset
  offset: u32,
  log_l: u32,
  first: u32,
  // Montgomery-form factor for `scale`
  factor: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> src: array<u32>;
@group(0) @binding(3) var<storage, read> tw: array<u32>;
// split transforms: the upper part of a cross-part butterfly, and the high twiddle table
@group(0) @binding(4) var<storage, read_write> data_hi: array<u32>;
@group(0) @binding(5) var<storage, read> tw_hi: array<u32>;

fn load_data(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = data[i * 8u + k];
  }
  return fr_from_words(w);
}

fn store_data(i: u32, a: Fr) {
  let w = fr_to_words(a);
  for (var k = 0u; k < 8u; k++) {
    data[i * 8u + k] = w[k];
  }
}

fn load_tw(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = tw[i * 8u + k];
  }
  return fr_from_words(w);
}

fn thread_index(gid: vec3<u32>) -> u32 {
  return gid.x + gid.y * params.row;
}

@compute @workgroup_size(64)
fn bit_reverse(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread_index(gid);
  if (i >= params.count) {
    return;
  }
  let j = reverseBits(i) >> (32u - params.log_n);
  for (var k = 0u; k < 8u; k++) {
    data[j * 8u + k] = src[i * 8u + k];
  }
}

@compute @workgroup_size(64)
fn butterfly(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = thread_index(gid);
  if (k >= params.count) {
    return;
  }
  let h = 1u << params.log_h;
  let j = k & (h - 1u);
  let i0 = ((k >> params.log_h) << (params.log_h + 1u)) | j;
  let i1 = i0 + h;
  let x0 = load_data(i0);
  let x1 = fr_mont_mul(load_data(i1), load_tw(j * params.stride));
  store_data(i0, fr_add(x0, x1));
  store_data(i1, fr_sub(x0, x1));
}

@compute @workgroup_size(64)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread_index(gid);
  if (i >= params.count) {
    return;
  }
  store_data(i, fr_mont_mul(load_data(i), params_factor()));
}

fn load_src(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = src[i * 8u + k];
  }
  return fr_from_words(w);
}

fn params_factor() -> Fr {
  let f = params.factor;
  return fr_from_words(array<u32, 8>(f[0].x, f[0].y, f[0].z, f[0].w, f[1].x, f[1].y, f[1].z, f[1].w));
}

// factor * base^i, with `tw` holding base^(2^k) * R for k < log_n: one product per set bit of i instead of
// a table of n powers.
fn power_at(i: u32) -> Fr {
  var acc = params_factor();
  for (var k = 0u; k < params.log_n; k++) {
    if (((i >> k) & 1u) == 1u) {
      acc = fr_mont_mul(acc, load_tw(k));
    }
  }
  return acc;
}

// data[i] *= factor * base^(offset + i), for the coset of bellperson's domain (offset: a part's first index).
@compute @workgroup_size(64)
fn coset_scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread_index(gid);
  if (i >= params.count) {
    return;
  }
  store_data(i, fr_mont_mul(load_data(i), power_at(i + params.offset)));
}

// data = (data * src - tw) * z^-1 elementwise, tw holding C. On canonical inputs a*b and c*1 both come out
// divided by R, and the factor z^-1 * R^2 puts the R back.
@compute @workgroup_size(64)
fn pointwise(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread_index(gid);
  if (i >= params.count) {
    return;
  }
  var one: Fr;
  one[0] = 1u;
  let d = fr_sub(fr_mont_mul(load_data(i), load_src(i)), fr_mont_mul(load_tw(i), one));
  store_data(i, fr_mont_mul(d, params_factor()));
}

// data[i] = factor * base^i in Montgomery form (the twiddles), `tw` as for power_at: made on the device,
// since n/2 host-side products for a 2^27 domain would cost more than the transform.
@compute @workgroup_size(64)
fn powers(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread_index(gid);
  if (i >= params.count) {
    return;
  }
  store_data(i, power_at(i));
}

// ----- transforms split over parts of 2^b elements (a vector larger than one storage binding)

fn load_hi(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = data_hi[i * 8u + k];
  }
  return fr_from_words(w);
}

fn store_hi(i: u32, a: Fr) {
  let w = fr_to_words(a);
  for (var k = 0u; k < 8u; k++) {
    data_hi[i * 8u + k] = w[k];
  }
}

fn load_tw_hi(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = tw_hi[i * 8u + k];
  }
  return fr_from_words(w);
}

// w^t * R from two tables: tw[t mod L] = w^(t mod L) * R and tw_hi[t / L] = w^(L * (t / L)) * R, since
// n / 2 twiddles may not fit one binding either
fn twiddle2(t: u32) -> Fr {
  let l = 1u << params.log_l;
  return fr_mont_mul(load_tw(t & (l - 1u)), load_tw_hi(t >> params.log_l));
}

// The bit reversal from source part p into destination part q: the elements t = first + P * u of p (P =
// stride, the number of parts) land at reverse_b(offset + u) of q, offset = p * 2^b / P (see ntt.ts).
@compute @workgroup_size(64)
fn bit_reverse_part(@builtin(global_invocation_id) gid: vec3<u32>) {
  let u = thread_index(gid);
  if (u >= params.count) {
    return;
  }
  let t = params.first + params.stride * u;
  let j = reverseBits(params.offset + u) >> (32u - params.log_n);
  for (var k = 0u; k < 8u; k++) {
    data[j * 8u + k] = src[t * 8u + k];
  }
}

// A stage whose half-block h = 2^log_h fits a part: the butterflies of one part; log_n is the whole
// transform's (for nothing but the reader), stride the twiddle step n / 2h.
@compute @workgroup_size(64)
fn butterfly_part(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = thread_index(gid);
  if (k >= params.count) {
    return;
  }
  let h = 1u << params.log_h;
  let j = k & (h - 1u);
  let i0 = ((k >> params.log_h) << (params.log_h + 1u)) | j;
  let i1 = i0 + h;
  let x0 = load_data(i0);
  let x1 = fr_mont_mul(load_data(i1), twiddle2(j * params.stride));
  store_data(i0, fr_add(x0, x1));
  store_data(i1, fr_sub(x0, x1));
}

// A stage whose half-block spans parts: element t of the lower part `data` with element t of the part h
// later, `data_hi`; the twiddle index is (offset + t) * stride, offset the lower part's first index modulo h.
@compute @workgroup_size(64)
fn butterfly_cross(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = thread_index(gid);
  if (t >= params.count) {
    return;
  }
  let x0 = load_data(t);
  let x1 = fr_mont_mul(load_hi(t), twiddle2((params.offset + t) * params.stride));
  store_data(t, fr_add(x0, x1));
  store_hi(t, fr_sub(x0, x1));
}
