// The constraint evaluation that feeds the quotient: out[r] = sum over row r's terms of coeff * w[col], one
// thread a row of one of A, B, C (CSR, coefficients as indices into a small table). Needs fr.wgsl in front,
// and r1cs.ts's prelude: the witness bindings (`witness_0` ...; a witness larger than one binding is split
// into parts of `params.witness_part` variables) and `load_witness`, which picks the part.
// The witness w (inputs, ONE first, then aux) is canonical; the table is in Montgomery form, so one
// Montgomery product gives the canonical term. A dispatch covers a run of rows whose row pointers, terms and
// out fit one binding each; the row pointers are the matrix's own, rebased here to the run's first term
// (`base`), so the host binds them as they are (a JS pass rebasing them cost ~30 ns a row).

struct Params {
  rows: u32,
  // threads per row of a 2D dispatch
  row: u32,
  witness_part: u32,
  base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> cols: array<u32>;
@group(0) @binding(3) var<storage, read> coeff_ids: array<u32>;
@group(0) @binding(4) var<storage, read> coeffs: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;

fn load_coeff(i: u32) -> Fr {
  var w: array<u32, 8>;
  for (var k = 0u; k < 8u; k++) {
    w[k] = coeffs[i * 8u + k];
  }
  return fr_from_words(w);
}

@compute @workgroup_size(64)
fn eval_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.y * params.row + gid.x;
  if (r >= params.rows) {
    return;
  }
  var acc: Fr;
  for (var k = row_ptr[r] - params.base; k < row_ptr[r + 1u] - params.base; k++) {
    acc = fr_add(acc, fr_mont_mul(load_coeff(coeff_ids[k]), load_witness(cols[k])));
  }
  let w = fr_to_words(acc);
  for (var k = 0u; k < 8u; k++) {
    out[r * 8u + k] = w[k];
  }
}
