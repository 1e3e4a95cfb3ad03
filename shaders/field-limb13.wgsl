// The field template (shaders/field.wgsl's interface and names) with 13-bit limbs: Fr in 20, Fq in 30, so
// R = 2^260 / 2^390. A 13x13-bit product is 26 bits, and 2 * 30 of them plus a carry stay below 2^32, so
// the Montgomery product adds a * b_i and m * p into its columns without carrying between them (one shift
// a row, the carries resolved once at the end): fewer operations a step than field.wgsl's 16-bit CIOS, for
// more steps. The layout of the best published WebGPU MSMs (ZPrize 2023); shaders.ts checks the column bound
// and puts field-limbs.wgsl (select, add, sub) in front.

fn field_from_words(w: array<u32, FIELD_WORDS>) -> Field {
  var a: Field;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let k = (13u * i) / 32u;
    let o = (13u * i) % 32u;
    var v = w[k] >> o;
    if (o > 19u && k + 1u < FIELD_WORDS) {
      v |= w[k + 1u] << (32u - o);
    }
    a[i] = v & 0x1fffu;
  }
  return a;
}

fn field_to_words(a: Field) -> array<u32, FIELD_WORDS> {
  var w: array<u32, FIELD_WORDS>;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let k = (13u * i) / 32u;
    let o = (13u * i) % 32u;
    w[k] |= a[i] << o;
    if (o > 19u && k + 1u < FIELD_WORDS) {
      w[k + 1u] |= a[i] >> (32u - o);
    }
  }
  return w;
}

// a * b / R mod p, a and b below p. Column j of t holds at most 2 (FIELD_LIMBS - 1 - j) products and one
// carry: below 2^32 for FIELD_LIMBS <= 32.
fn field_mont_mul(a: Field, b: Field) -> Field {
  let p = FIELD_P;
  var t: Field;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let bi = b[i];
    let t0 = t[0] + a[0] * bi;
    let m = (t0 * FIELD_NPRIME) & 0x1fffu;
    // the low 13 bits of t0 + m * p[0] are zero: the row shifts down one limb, its carry into column 0
    t[0] = t[1] + a[1] * bi + m * p[1] + ((t0 + m * p[0]) >> 13u);
    for (var j = 2u; j < FIELD_LIMBS; j++) {
      t[j - 1u] = t[j] + a[j] * bi + m * p[j];
    }
    t[FIELD_LIMBS - 1u] = 0u;
  }
  var out: Field;
  var c = 0u;
  for (var j = 0u; j < FIELD_LIMBS; j++) {
    let x = t[j] + c;
    out[j] = x & 0x1fffu;
    c = x >> 13u;
  }
  return field_reduce_once(out);
}
