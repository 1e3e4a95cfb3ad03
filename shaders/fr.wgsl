// BLS12-381 scalar field Fr in Montgomery form with R = 2^256, for WGSL's u32-only integers.
//
// Limbs are 16 bits wide, one per u32, little-endian (16 limbs). WGSL has no 64-bit integers and no
// mulhi, so a 32x32 product would need four 16x16 partial products and carry juggling anyway; with
// 16-bit limbs one `t + a*b + c` step of CIOS is at most (2^16-1)^2 + 2(2^16-1) = 2^32-1 and never
// overflows, so every step is a plain multiply-add with no branches or carry-detect compares.
// Buffers hold elements as 8 u32 words (the 32-byte canonical encoding, read as LE words).

alias Fr = array<u32, 16>;

// r, 16-bit limbs little-endian.
const FR_P = Fr(
  0x0001u, 0x0000u, 0xffffu, 0xffffu, 0x5bfeu, 0xfffeu, 0xa402u, 0x53bdu,
  0xd805u, 0x09a1u, 0xd808u, 0x3339u, 0x7d48u, 0x299du, 0xa753u, 0x73edu);
// -r^-1 mod 2^16: r = 1 mod 2^16, so this is 2^16 - 1.
const FR_NPRIME = 0xffffu;

fn fr_from_words(w: array<u32, 8>) -> Fr {
  var a: Fr;
  for (var k = 0u; k < 8u; k++) {
    a[2u * k] = w[k] & 0xffffu;
    a[2u * k + 1u] = w[k] >> 16u;
  }
  return a;
}

fn fr_to_words(a: Fr) -> array<u32, 8> {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = a[2u * k] | (a[2u * k + 1u] << 16u);
  }
  return w;
}

// b where `pick_b` is 1, else a; by masks, since WGSL's select takes no arrays, and branch-free so that
// the lanes of a workgroup stay in step.
fn fr_select(a: Fr, b: Fr, pick_b: u32) -> Fr {
  let mask = 0u - pick_b;
  var out: Fr;
  for (var i = 0u; i < 16u; i++) {
    out[i] = (b[i] & mask) | (a[i] & ~mask);
  }
  return out;
}

// a - r when a >= r, else a; a < 2r.
fn fr_reduce_once(a: Fr) -> Fr {
  let p = FR_P;
  var d: Fr;
  var borrow = 0u;
  for (var i = 0u; i < 16u; i++) {
    let x = a[i] + 0x10000u - p[i] - borrow;
    d[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  return fr_select(d, a, borrow);
}

fn fr_add(a: Fr, b: Fr) -> Fr {
  // a + b < 2r < 2^256: no carry out of the top limb
  var s: Fr;
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    let x = a[i] + b[i] + c;
    s[i] = x & 0xffffu;
    c = x >> 16u;
  }
  return fr_reduce_once(s);
}

fn fr_sub(a: Fr, b: Fr) -> Fr {
  let p = FR_P;
  var d: Fr;
  var borrow = 0u;
  for (var i = 0u; i < 16u; i++) {
    let x = a[i] + 0x10000u - b[i] - borrow;
    d[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  var e: Fr;
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    let x = d[i] + p[i] + c;
    e[i] = x & 0xffffu;
    c = x >> 16u;
  }
  return fr_select(d, e, borrow);
}

// a * b / R mod r (CIOS). With a canonical and b = w*R (Montgomery form) this is the canonical a*w, so
// data never needs converting: only constants are kept in Montgomery form.
fn fr_mont_mul(a: Fr, b: Fr) -> Fr {
  let p = FR_P;
  var t: array<u32, 18>;
  for (var i = 0u; i < 16u; i++) {
    var c = 0u;
    let bi = b[i];
    for (var j = 0u; j < 16u; j++) {
      let x = t[j] + a[j] * bi + c;
      t[j] = x & 0xffffu;
      c = x >> 16u;
    }
    let x16 = t[16] + c;
    t[16] = x16 & 0xffffu;
    t[17] = x16 >> 16u;
    let m = (t[0] * FR_NPRIME) & 0xffffu;
    c = (t[0] + m * p[0]) >> 16u;
    for (var j = 1u; j < 16u; j++) {
      let y = t[j] + m * p[j] + c;
      t[j - 1u] = y & 0xffffu;
      c = y >> 16u;
    }
    let y16 = t[16] + c;
    t[15] = y16 & 0xffffu;
    t[16] = t[17] + (y16 >> 16u);
  }
  // r < 2^255 < R/4 keeps t below 2r and t[16] zero
  var out: Fr;
  for (var j = 0u; j < 16u; j++) {
    out[j] = t[j];
  }
  return fr_reduce_once(out);
}
