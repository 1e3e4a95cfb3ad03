// A witness part expanded on the GPU from its code (native/src/witness_code.rs): a group of 32 variables
// is (non-zero bits, general bits, general values before the group), and the general values follow on
// their own, so only those cross the bus whole. One thread a variable of the part writes its 8 words: 0,
// 1, or its general value, canonical (what r1cs.wgsl's load_witness reads).

struct Params {
  // the part's first variable, its variable count, threads a row of a 2D dispatch
  first: u32,
  count: u32,
  row: u32,
  // the first group and the first general value bound (the part's own slices of the code)
  group_base: u32,
  value_base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> groups: array<u32>;
@group(0) @binding(2) var<storage, read> values: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(64)
fn expand(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.y * params.row + gid.x;
  if (k >= params.count) {
    return;
  }
  let i = params.first + k;
  let g = (i / 32u - params.group_base) * 3u;
  let bit = 1u << (i % 32u);
  let general = groups[g + 1u];
  if ((general & bit) != 0u) {
    let at = (groups[g + 2u] + countOneBits(general & (bit - 1u)) - params.value_base) * 8u;
    for (var j = 0u; j < 8u; j++) {
      out[k * 8u + j] = values[at + j];
    }
    return;
  }
  out[k * 8u] = select(0u, 1u, (groups[g] & bit) != 0u);
  for (var j = 1u; j < 8u; j++) {
    out[k * 8u + j] = 0u;
  }
}
