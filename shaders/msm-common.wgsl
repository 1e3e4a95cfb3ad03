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
  chunk: u32,
  runs: u32,
  direct: u32,
  shift: u32,
  nbits: u32,
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
@group(0) @binding(12) var<storage, read> starts: array<u32>;
@group(0) @binding(13) var<storage, read_write> scan_out: array<u32>;
@group(0) @binding(14) var<storage, read_write> scan_sums: array<u32>;

const SIGN = 0x80000000u;

fn thread(gid: vec3<u32>) -> u32 {
  return gid.y * params.row + gid.x;
}

const AFFINE_FQ = 2u * PT_W;
const POINT_FQ = 3u * PT_W;

// Table point i's Fq in slot c (x then y, c0 first) from its uncompressed encoding as uploaded (raw): each
// Fq 48 bytes big-endian, G1 x || y, G2 x.c1 || x.c0 || y.c1 || y.c0, the zcash flags in the top three bits
// of the first byte; as canonical little-endian words. The GPU reads the encoding as it is, so that a
// table's upload costs the host no conversion.
fn raw_fq(i: u32, c: u32) -> array<u32, 12> {
  let first = i * AFFINE_FQ * 12u + (c / PT_W) * PT_W * 12u + (PT_W - 1u - c % PT_W) * 12u;
  var w: array<u32, 12>;
  for (var k = 0u; k < 12u; k++) {
    // word k holds the Fq's bytes 44 - 4k .. 47 - 4k, big-endian
    var v = raw[first + 11u - k];
    if (first + 11u - k == i * AFFINE_FQ * 12u) {
      v &= 0xffffff1fu;
    }
    w[k] = (v >> 24u) | ((v >> 8u) & 0xff00u) | ((v << 8u) & 0xff0000u) | (v << 24u);
  }
  return w;
}

// Whether table point i's encoding has the infinity flag (its words are then the identity's zeros).
fn raw_infinity(i: u32) -> bool {
  return (raw[i * AFFINE_FQ * 12u] & 0x40u) != 0u;
}

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

// Chunk t of a level of run sums (sum_entries, sum_partials): run r's items offsets[r] .. offsets[r + 1]
// cut in chunks of params.chunk, run r's chunks from starts[r] on (every run has one, an empty run an empty
// one), starts[params.runs] chunks in all. The dispatch is sized by a bound; the threads past the end have
// no chunk (live false).
struct Chunk {
  lo: u32,
  hi: u32,
  live: bool,
}

fn chunk_of(t: u32) -> Chunk {
  if (t >= starts[params.runs]) {
    return Chunk(0u, 0u, false);
  }
  // the run r with starts[r] <= t < starts[r + 1]: starts increase strictly
  var lo = 0u;
  var hi = params.runs;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (starts[mid] <= t) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  let first = offsets[lo] + (t - starts[lo]) * params.chunk;
  return Chunk(first, min(first + params.chunk, offsets[lo + 1u]), true);
}

// An exclusive scan over params.count values in blocks of SCAN_BLOCK, a workgroup a block (scan_blocks: the
// block's scan into scan_out, its total into scan_sums), the block totals scanned the same way and added
// back (scan_add). The values are offsets[i] (params.chunk 0: bucket sizes into bucket offsets) or run i's
// chunk count for the next level of run sums (its last value 0, so that scan_out ends with the total).
const SCAN_BLOCK = 256u;
var<workgroup> scan_tile: array<u32, 64>;

fn scan_value(i: u32) -> u32 {
  if (i >= params.count) {
    return 0u;
  }
  if (params.chunk == 0u) {
    return offsets[i];
  }
  if (i + 1u == params.count) {
    return 0u;
  }
  return max(1u, (offsets[i + 1u] - offsets[i] + params.chunk - 1u) / params.chunk);
}

@compute @workgroup_size(64)
fn scan_blocks(
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let block = wid.y * groups.x + wid.x;
  // a two-dimensional dispatch may have a few workgroups past the last block (uniform: the whole group)
  if (block * SCAN_BLOCK >= params.count) {
    return;
  }
  let first = block * SCAN_BLOCK + li * 4u;
  var v: array<u32, 4>;
  var own = 0u;
  for (var k = 0u; k < 4u; k++) {
    v[k] = own;
    own += scan_value(first + k);
  }
  // inclusive scan of the threads' totals in the tile (Hillis-Steele: 6 steps for 64 threads)
  scan_tile[li] = own;
  workgroupBarrier();
  for (var d = 1u; d < 64u; d <<= 1u) {
    var x = scan_tile[li];
    if (li >= d) {
      x += scan_tile[li - d];
    }
    workgroupBarrier();
    scan_tile[li] = x;
    workgroupBarrier();
  }
  let before = scan_tile[li] - own;
  for (var k = 0u; k < 4u; k++) {
    if (first + k < params.count) {
      scan_out[first + k] = before + v[k];
    }
  }
  if (li == 63u) {
    scan_sums[block] = scan_tile[63u];
  }
}

@compute @workgroup_size(64)
fn scan_add(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  scan_out[i] += scan_sums[i / SCAN_BLOCK];
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

// Scalar i's point (idx[i], or base + i; with the digit's sign) into each window's bucket: bucket b's
// entries are offsets[b] .. offsets[b] + size, the cursor counting its size (scalar_digits' count) down: a
// counting sort.
@compute @workgroup_size(64)
fn bucket_scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = thread(gid);
  if (i >= params.count) {
    return;
  }
  // scalar i's base: listed (params.base + idx[i], u32 wrapping: the split's positions are relative to the
  // MSM's first base, which may lie in an earlier buffer), or (a dense MSM's scalars as they are)
  // params.base + i
  var point = params.base + i;
  if (params.direct == 0u) {
    point = params.base + idx[i];
  }
  for (var w = 0u; w < params.windows; w++) {
    let e = digits[w * params.count + i];
    let b = e & ~SIGN;
    if (b != 0u) {
      let bucket = w * params.buckets + b;
      entries[offsets[bucket] + atomicSub(&cursor[bucket], 1u) - 1u] = point | (e & SIGN);
    }
  }
}

// A part's ones as the split's bitmap (idx: its words from the one holding the part's first bit, which is
// bit params.shift there; params.nbits bits in all, bit j for table base params.base + j), compacted into
// the bases that sum_entries sums: each word's count (bits_count), their exclusive scan, then each word's
// bases written from its offset on (bits_scatter). A bit uploaded a one instead of 4 bytes.
fn ones_word(j: u32) -> u32 {
  let s = params.shift;
  var v = idx[j] >> s;
  if (s != 0u) {
    v |= idx[j + 1u] << (32u - s);
  }
  let left = params.nbits - 32u * j;
  if (left < 32u) {
    v &= (1u << left) - 1u;
  }
  return v;
}

// scan_out[j] = the ones of the part's word j, and 0 after the last word (the scan then ends with the total).
@compute @workgroup_size(64)
fn bits_count(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = thread(gid);
  let words = (params.nbits + 31u) / 32u;
  if (j > words) {
    return;
  }
  var c = 0u;
  if (j < words) {
    c = countOneBits(ones_word(j));
  }
  scan_out[j] = c;
}

// entries[offsets[j] ..] = the bases of word j's ones, in order; scan_out = [0, total]: the one run
// sum_entries sums.
@compute @workgroup_size(64)
fn bits_scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = thread(gid);
  let words = (params.nbits + 31u) / 32u;
  if (j >= words) {
    return;
  }
  if (j == 0u) {
    scan_out[0] = 0u;
    scan_out[1] = offsets[words];
  }
  var v = ones_word(j);
  var at = offsets[j];
  while (v != 0u) {
    entries[at] = params.base + 32u * j + countTrailingZeros(v);
    at += 1u;
    v &= v - 1u;
  }
}
