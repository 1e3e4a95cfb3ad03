// A BLS12-381 field in Montgomery form for WGSL's u32-only integers: a template, instantiated per field by
// src/backends/webgpu/shaders.ts (Fr: R = 2^256, 16 limbs; Fq: R = 2^384, 24 limbs), which puts `Field`,
// `field_` and `FIELD_` to the field's names (Fr, fr_, FR_ / Fq, fq_, FQ_) and emits in front
// FIELD_LIMBS, FIELD_WORDS, FIELD_BITS (and its base and mask), the modulus FIELD_P and FIELD_NPRIME =
// -p^-1 mod 2^16.
//
// Limbs are 16 bits wide, one per u32, little-endian; select, add and sub are field-limbs.wgsl's, put in
// front. WGSL has no 64-bit integers and no mulhi, so a 32x32 product would need four 16x16 partial
// products and carry juggling anyway (field-word32.wgsl, for comparison); with 16-bit limbs one
// `t + a*b + c` step of CIOS is at most (2^16-1)^2 + 2(2^16-1) = 2^32-1 and never overflows, so every step
// is a plain multiply-add with no branches or carry-detect compares. Buffers hold elements as FIELD_WORDS
// u32 words (the canonical little-endian encoding read as words).

fn field_from_words(w: array<u32, FIELD_WORDS>) -> Field {
  var a: Field;
  for (var k = 0u; k < FIELD_WORDS; k++) {
    a[2u * k] = w[k] & 0xffffu;
    a[2u * k + 1u] = w[k] >> 16u;
  }
  return a;
}

fn field_to_words(a: Field) -> array<u32, FIELD_WORDS> {
  var w: array<u32, FIELD_WORDS>;
  for (var k = 0u; k < FIELD_WORDS; k++) {
    w[k] = a[2u * k] | (a[2u * k + 1u] << 16u);
  }
  return w;
}

// a * b / R mod p (CIOS). With a canonical and b = w*R (Montgomery form) this is the canonical a*w, so
// Fr data never needs converting: only constants are kept in Montgomery form (points keep Fq coordinates
// in Montgomery form throughout).
fn field_mont_mul(a: Field, b: Field) -> Field {
  let p = FIELD_P;
  var t: array<u32, FIELD_LIMBS + 2u>;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    var c = 0u;
    let bi = b[i];
    for (var j = 0u; j < FIELD_LIMBS; j++) {
      let x = t[j] + a[j] * bi + c;
      t[j] = x & 0xffffu;
      c = x >> 16u;
    }
    let xl = t[FIELD_LIMBS] + c;
    t[FIELD_LIMBS] = xl & 0xffffu;
    t[FIELD_LIMBS + 1u] = xl >> 16u;
    let m = (t[0] * FIELD_NPRIME) & 0xffffu;
    c = (t[0] + m * p[0]) >> 16u;
    for (var j = 1u; j < FIELD_LIMBS; j++) {
      let y = t[j] + m * p[j] + c;
      t[j - 1u] = y & 0xffffu;
      c = y >> 16u;
    }
    let yl = t[FIELD_LIMBS] + c;
    t[FIELD_LIMBS - 1u] = yl & 0xffffu;
    t[FIELD_LIMBS] = t[FIELD_LIMBS + 1u] + (yl >> 16u);
  }
  // p < R/4 (r < 2^255, q < 2^381) keeps t below 2p and t[FIELD_LIMBS] zero
  var out: Field;
  for (var j = 0u; j < FIELD_LIMBS; j++) {
    out[j] = t[j];
  }
  return field_reduce_once(out);
}
