// The field template (shaders/field.wgsl's interface and names) with full 32-bit words: Fr in 8, Fq in 12,
// R = 2^256 / 2^384 as field.wgsl's. WGSL has no 64-bit product or mulhi, so each 32x32 product is four
// 16x16 ones and every add detects its carry by a compare: a quarter of field.wgsl's steps, each several
// times the work. In the microbenchmark for comparison with the limb layouts.

alias Field = array<u32, FIELD_LIMBS>;

fn field_from_words(w: array<u32, FIELD_WORDS>) -> Field {
  return w;
}

fn field_to_words(a: Field) -> array<u32, FIELD_WORDS> {
  return a;
}

fn field_select(a: Field, b: Field, pick_b: u32) -> Field {
  let mask = 0u - pick_b;
  var out: Field;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    out[i] = (b[i] & mask) | (a[i] & ~mask);
  }
  return out;
}

// a * b + c + d as (low word, high word): at most 2^64 - 1, never overflowing
fn field_mad(a: u32, b: u32, c: u32, d: u32) -> vec2<u32> {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  var lo = (ll & 0xffffu) | (mid << 16u);
  var hi = ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  lo += c;
  hi += u32(lo < c);
  lo += d;
  hi += u32(lo < d);
  return vec2<u32>(lo, hi);
}

// a - b mod R (the borrow out is field_less's)
fn field_sub_words(a: Field, b: Field) -> Field {
  var d: Field;
  var borrow = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] - b[i];
    d[i] = x - borrow;
    borrow = u32(a[i] < b[i]) | u32(x < borrow);
  }
  return d;
}

// 1 when a < b
fn field_less(a: Field, b: Field) -> u32 {
  var borrow = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] - b[i];
    borrow = u32(a[i] < b[i]) | u32(x < borrow);
  }
  return borrow;
}

fn field_reduce_once(a: Field) -> Field {
  let p = FIELD_P;
  return field_select(field_sub_words(a, p), a, field_less(a, p));
}

fn field_add(a: Field, b: Field) -> Field {
  // a + b < 2p < R: no carry out of the top word
  var s: Field;
  var c = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] + b[i];
    s[i] = x + c;
    c = u32(x < a[i]) | u32(s[i] < x);
  }
  return field_reduce_once(s);
}

fn field_sub(a: Field, b: Field) -> Field {
  let p = FIELD_P;
  let d = field_sub_words(a, b);
  var e: Field;
  var c = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = d[i] + p[i];
    e[i] = x + c;
    c = u32(x < d[i]) | u32(e[i] < x);
  }
  return field_select(d, e, field_less(a, b));
}

// a * b / R mod p (CIOS over words)
fn field_mont_mul(a: Field, b: Field) -> Field {
  let p = FIELD_P;
  var t: array<u32, FIELD_LIMBS + 2u>;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    var c = 0u;
    let bi = b[i];
    for (var j = 0u; j < FIELD_LIMBS; j++) {
      let x = field_mad(a[j], bi, t[j], c);
      t[j] = x.x;
      c = x.y;
    }
    let s = t[FIELD_LIMBS] + c;
    t[FIELD_LIMBS + 1u] = u32(s < c);
    t[FIELD_LIMBS] = s;
    let m = t[0] * FIELD_NPRIME;
    c = field_mad(m, p[0], t[0], 0u).y;
    for (var j = 1u; j < FIELD_LIMBS; j++) {
      let y = field_mad(m, p[j], t[j], c);
      t[j - 1u] = y.x;
      c = y.y;
    }
    let s2 = t[FIELD_LIMBS] + c;
    t[FIELD_LIMBS - 1u] = s2;
    t[FIELD_LIMBS] = t[FIELD_LIMBS + 1u] + u32(s2 < c);
  }
  // 2p < R keeps t below 2p and t[FIELD_LIMBS] zero
  var out: Field;
  for (var j = 0u; j < FIELD_LIMBS; j++) {
    out[j] = t[j];
  }
  return field_reduce_once(out);
}
