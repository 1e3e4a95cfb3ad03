// What the MSM kernels of both point forms share (msm.wgsl: the slot file; msm-registers.wgsl: points in
// registers): parameters, bindings, the digits and the counting sort, which do no point arithmetic.
//
// Table points are affine, x then y (AFFINE_FQ = 2 * PT_W Fq), each Fq 12 little-endian u32 words in
// Montgomery form, the identity all zero; sums are projective (3 * PT_W Fq). Scalars are 8 little-endian
// words. A thread's index is gid.y * params.row + gid.x: dispatches wider than one row of workgroups go
// two-dimensional. Pippenger with signed c-bit digits: window w's digit d in [-2^(c-1), 2^(c-1)] puts +-P
// in bucket |d|, params.buckets = 2^(c-1) + 1 a window (bucket 0 unused).
// Needs PT_W in front.

struct Params {
  count: u32,
  row: u32,
  windows: u32,
  bits: u32,
  buckets: u32,
  segment: u32,
  segments: u32,
  base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> table: array<u32>;
@group(0) @binding(2) var<storage, read> raw: array<u32>;
@group(0) @binding(3) var<storage, read> scalars: array<u32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> digits: array<u32>;
@group(0) @binding(6) var<storage, read_write> cursor: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> entries: array<u32>;
@group(0) @binding(8) var<storage, read> offsets: array<u32>;
@group(0) @binding(9) var<storage, read> sums_in: array<u32>;
@group(0) @binding(10) var<storage, read_write> sums_out: array<u32>;
@group(0) @binding(11) var<storage, read_write> table_out: array<u32>;

const SIGN = 0x80000000u;

fn thread(gid: vec3<u32>) -> u32 {
  return gid.y * params.row + gid.x;
}

const AFFINE_FQ = 2u * PT_W;
const POINT_FQ = 3u * PT_W;

// Segment t of window_segments: window w's buckets lo + 1 .. hi, summed in `running` steps (R += bucket,
// T += R by turns), then lo * R + T by double-and-add over lo's `bits` bits: `steps` in all.
struct Segment {
  w: u32,
  lo: u32,
  hi: u32,
  running: u32,
  bits: u32,
  steps: u32,
}

fn segment_of(t: u32) -> Segment {
  let top = params.buckets - 1u;
  let lo = min((t % params.segments) * params.segment, top);
  let hi = min(lo + params.segment, top);
  let bits = 32u - countLeadingZeros(lo);
  return Segment(t / params.segments, lo, hi, 2u * (hi - lo), bits, 2u * (hi - lo) + 2u * bits + 1u);
}

// The signed digits of scalar i, window-major (digits[w * count + i] = |d| | sign), and the bucket sizes.
@compute @workgroup_size(64)
fn scalar_digits(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  var s: array<u32, 9>;
  for (var k = 0u; k < 8u; k++) {
    s[k] = scalars[i * 8u + k];
  }
  let c = params.bits;
  let mask = (1u << c) - 1u;
  let half = 1u << (c - 1u);
  var carry = 0u;
  for (var w = 0u; w < params.windows; w++) {
    let off = w * c;
    let word = off >> 5u;
    let sh = off & 31u;
    var v = s[word] >> sh;
    if (sh + c > 32u) {
      v |= s[word + 1u] << (32u - sh);
    }
    let d = (v & mask) + carry;
    var e = d;
    carry = 0u;
    if (d > half) {
      // d - 2^c < 0: bucket 2^c - d with the point negated, and one more in the next window
      e = ((1u << c) - d) | SIGN;
      carry = 1u;
    }
    digits[w * params.count + i] = e;
    if ((e & ~SIGN) != 0u) {
      atomicAdd(&cursor[w * params.buckets + (e & ~SIGN)], 1u);
    }
  }
}

// Scalar i's point (idx[i], with the digit's sign) into each window's bucket at the cursor, which starts at
// the bucket's offset: a counting sort.
@compute @workgroup_size(64)
fn bucket_scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  let point = idx[i];
  for (var w = 0u; w < params.windows; w++) {
    let e = digits[w * params.count + i];
    let b = e & ~SIGN;
    if (b != 0u) {
      let at = atomicAdd(&cursor[w * params.buckets + b], 1u);
      entries[at] = point | (e & SIGN);
    }
  }
}
