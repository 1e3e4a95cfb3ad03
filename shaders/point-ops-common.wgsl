// What the point kernels of the tests and the microbenchmark share in either form (point-ops.wgsl on the
// slot file, point-ops-registers.wgsl in registers): points in and out are projective, 3 * PT_W Fq of 12
// little-endian u32 words (X, Y, Z, Montgomery form). Needs PT_W in front.

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

