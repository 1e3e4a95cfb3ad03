// What the elementwise kernels of the tests and the microbenchmarks share (field-ops.wgsl, point-ops.wgsl,
// point-ops-registers.wgsl): out[i] from a_in[i] and b_in[i] for i < count, chains `iters` long.

struct Params {
  count: u32,
  iters: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a_in: array<u32>;
@group(0) @binding(1) var<storage, read> b_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

