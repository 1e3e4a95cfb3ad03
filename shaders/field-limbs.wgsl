// The helpers every limb layout of the field template shares (shaders.ts puts it in front of field.wgsl
// and field-limb13.wgsl): limbs of FIELD_BITS bits, one per u32, little-endian, carried and borrowed
// exactly (FIELD_BASE = 2^FIELD_BITS, FIELD_MASK = FIELD_BASE - 1, constants emitted by shaders.ts).

alias Field = array<u32, FIELD_LIMBS>;

// b where `pick_b` is 1, else a; by masks, since WGSL's select takes no arrays, and branch-free so that
// the lanes of a workgroup stay in step.
fn field_select(a: Field, b: Field, pick_b: u32) -> Field {
  let mask = 0u - pick_b;
  var out: Field;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    out[i] = (b[i] & mask) | (a[i] & ~mask);
  }
  return out;
}

// a - p when a >= p, else a; a < 2p.
fn field_reduce_once(a: Field) -> Field {
  let p = FIELD_P;
  var d: Field;
  var borrow = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] + FIELD_BASE - p[i] - borrow;
    d[i] = x & FIELD_MASK;
    borrow = 1u - (x >> FIELD_BITS);
  }
  return field_select(d, a, borrow);
}

fn field_add(a: Field, b: Field) -> Field {
  // a + b < 2p < R: no carry out of the top limb
  var s: Field;
  var c = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] + b[i] + c;
    s[i] = x & FIELD_MASK;
    c = x >> FIELD_BITS;
  }
  return field_reduce_once(s);
}

fn field_sub(a: Field, b: Field) -> Field {
  let p = FIELD_P;
  var d: Field;
  var borrow = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = a[i] + FIELD_BASE - b[i] - borrow;
    d[i] = x & FIELD_MASK;
    borrow = 1u - (x >> FIELD_BITS);
  }
  var e: Field;
  var c = 0u;
  for (var i = 0u; i < FIELD_LIMBS; i++) {
    let x = d[i] + p[i] + c;
    e[i] = x & FIELD_MASK;
    c = x >> FIELD_BITS;
  }
  return field_select(d, e, borrow);
}
