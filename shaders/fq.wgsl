// BLS12-381 base field Fq in Montgomery form with R = 2^384: fr.wgsl's layout and algorithms (16-bit limbs in
// u32, CIOS) at 24 limbs; see there for why. Buffers hold elements as 12 u32 words, little-endian.

alias Fq = array<u32, 24>;

// q, 16-bit limbs little-endian.
const FQ_P = Fq(
  0xaaabu, 0xffffu, 0xffffu, 0xb9feu, 0xffffu, 0xb153u, 0xfffeu, 0x1eabu,
  0xf624u, 0xf6b0u, 0xd2a0u, 0x6730u, 0x12bfu, 0xf385u, 0x4b84u, 0x6477u,
  0xacd7u, 0x434bu, 0xa7b6u, 0x4b1bu, 0xe69au, 0x397fu, 0x11eau, 0x1a01u);
// -q^-1 mod 2^16.
const FQ_NPRIME = 0xfffdu;

fn fq_from_words(w: array<u32, 12>) -> Fq {
  var a: Fq;
  for (var k = 0u; k < 12u; k++) {
    a[2u * k] = w[k] & 0xffffu;
    a[2u * k + 1u] = w[k] >> 16u;
  }
  return a;
}

fn fq_to_words(a: Fq) -> array<u32, 12> {
  var w: array<u32, 12>;
  for (var k = 0u; k < 12u; k++) {
    w[k] = a[2u * k] | (a[2u * k + 1u] << 16u);
  }
  return w;
}

// b where `pick_b` is 1, else a; by masks, since WGSL's select takes no arrays, and branch-free so that
// the lanes of a workgroup stay in step.
fn fq_select(a: Fq, b: Fq, pick_b: u32) -> Fq {
  let mask = 0u - pick_b;
  var out: Fq;
  for (var i = 0u; i < 24u; i++) {
    out[i] = (b[i] & mask) | (a[i] & ~mask);
  }
  return out;
}

// a - q when a >= q, else a; a < 2q.
fn fq_reduce_once(a: Fq) -> Fq {
  let p = FQ_P;
  var d: Fq;
  var borrow = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = a[i] + 0x10000u - p[i] - borrow;
    d[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  return fq_select(d, a, borrow);
}

fn fq_add(a: Fq, b: Fq) -> Fq {
  // a + b < 2q < 2^384: no carry out of the top limb
  var s: Fq;
  var c = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = a[i] + b[i] + c;
    s[i] = x & 0xffffu;
    c = x >> 16u;
  }
  return fq_reduce_once(s);
}

fn fq_sub(a: Fq, b: Fq) -> Fq {
  let p = FQ_P;
  var d: Fq;
  var borrow = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = a[i] + 0x10000u - b[i] - borrow;
    d[i] = x & 0xffffu;
    borrow = 1u - (x >> 16u);
  }
  var e: Fq;
  var c = 0u;
  for (var i = 0u; i < 24u; i++) {
    let x = d[i] + p[i] + c;
    e[i] = x & 0xffffu;
    c = x >> 16u;
  }
  return fq_select(d, e, borrow);
}

// a * b / R mod q (CIOS). Points are kept in Montgomery form throughout.
fn fq_mont_mul(a: Fq, b: Fq) -> Fq {
  let p = FQ_P;
  var t: array<u32, 26>;
  for (var i = 0u; i < 24u; i++) {
    var c = 0u;
    let bi = b[i];
    for (var j = 0u; j < 24u; j++) {
      let x = t[j] + a[j] * bi + c;
      t[j] = x & 0xffffu;
      c = x >> 16u;
    }
    let x16 = t[24] + c;
    t[24] = x16 & 0xffffu;
    t[25] = x16 >> 16u;
    let m = (t[0] * FQ_NPRIME) & 0xffffu;
    c = (t[0] + m * p[0]) >> 16u;
    for (var j = 1u; j < 24u; j++) {
      let y = t[j] + m * p[j] + c;
      t[j - 1u] = y & 0xffffu;
      c = y >> 16u;
    }
    let y16 = t[24] + c;
    t[23] = y16 & 0xffffu;
    t[24] = t[25] + (y16 >> 16u);
  }
  // q < 2^381 < R/4 keeps t below 2q and t[24] zero
  var out: Fq;
  for (var j = 0u; j < 24u; j++) {
    out[j] = t[j];
  }
  return fq_reduce_once(out);
}
