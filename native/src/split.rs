//! An MSM's scalars sorted the way the GPU backends take them, in two parallel passes (each block's
//! counts, then each block writes straight into its own slices of the output): the ones, the positions
//! and values of the other non-zero scalars, zeros dropped; density maps compacted as the CPU's msm does.
//! Where there is no density map and few 0/1 scalars, both backends read the scalars as they are (the
//! dense form), which spares gathering them. The CUDA glue takes the ones as a bitmap (`split`), the
//! WebGPU MSM as index lists per table buffer (`split_runs`).

use crate::fr::FR_BYTES;
use crate::scalars::{Scalars, Val};
use rayon::prelude::*;

/// The scalars of one MSM sorted as the CUDA glue takes them, positions relative to `start`. A dense
/// split has no lists: the glue reads the caller's scalars, bases `start + i`.
#[cfg(feature = "cuda")]
pub struct Split {
    pub span: usize,
    pub dense: bool,
    /// one bit per base of the span, empty when no scalar is one
    pub ones: Vec<u32>,
    pub rest_idx: Vec<u32>,
    pub rest_scalars: Vec<u8>,
}

const BLOCK: usize = 1 << 14;

/// Block b's scalars (BLOCK of them), and the density-kept count of every block before it, at its first.
struct Blocks<'a> {
    scalars: &'a Scalars<'a>,
    density: Option<&'a [u8]>,
    n: usize,
    /// the kept position of each block's first kept scalar, and the span (the kept count) last
    first: Vec<usize>,
}

impl<'a> Blocks<'a> {
    fn new(
        scalars: &'a Scalars<'a>,
        density: Option<&'a [u8]>,
    ) -> std::result::Result<Self, String> {
        let n = crate::msm::scalar_count(scalars, density)?;
        let counts: Vec<usize> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
                match density {
                    None => hi - lo,
                    Some(d) => d[lo..hi].iter().filter(|&&x| x != 0).count(),
                }
            })
            .collect();
        let mut first = Vec::with_capacity(counts.len() + 1);
        let mut span = 0usize;
        for c in &counts {
            first.push(span);
            span += c;
        }
        first.push(span);
        if span >= 1 << 32 {
            return Err(format!("msm: {span} bases is past the GPU glue's 2^32"));
        }
        Ok(Blocks {
            scalars,
            density,
            n,
            first,
        })
    }

    fn len(&self) -> usize {
        self.first.len() - 1
    }

    fn span(&self) -> usize {
        self.first[self.len()]
    }

    /// Calls f(class, kept position, scalar) for block b's kept scalars that are not zero, in order
    /// (class 1 for the ones, 2 for the rest); returns the index of its first scalar that is not
    /// reduced (its top bit set).
    fn walk(&self, b: usize, mut f: impl FnMut(u8, usize, &[u8])) -> Option<usize> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(self.n));
        let first = self.first[b];
        let mut bad = None;
        self.scalars
            .nonzero(lo, hi, self.density, |i, k, v| match v {
                Val::Bit(_) => f(1, first + k, &[]),
                Val::Other(s) => {
                    if s[FR_BYTES - 1] & 0x80 != 0 && bad.is_none() {
                        bad = Some(i);
                    }
                    f(2, first + k, s);
                }
            });
        bad
    }
}

/// Pass one: each block's count of ones and of the rest; an unreduced scalar is an error naming it.
fn counts(blocks: &Blocks) -> std::result::Result<Vec<(usize, usize)>, String> {
    let counts: Vec<(Option<usize>, usize, usize)> = (0..blocks.len())
        .into_par_iter()
        .map(|b| {
            let (mut ones, mut rest) = (0, 0);
            let bad = blocks.walk(b, |class, _, _| {
                ones += (class == 1) as usize;
                rest += (class == 2) as usize;
            });
            (bad, ones, rest)
        })
        .collect();
    match counts.iter().find_map(|c| c.0) {
        Some(i) => Err(format!("msm: scalar {i} is not reduced modulo r")),
        None => Ok(counts.into_iter().map(|c| (c.1, c.2)).collect()),
    }
}

/// Whether the MSM reads its scalars as they are. A 0 or 1 costs Pippenger one addition at most, as the
/// ones' sum does: gathering pays only where they are many (the uploads: 32 bytes a scalar as it is, a
/// bit or 4 bytes a one and 36 a rest gathered). A compact witness is never read as it is: it has no
/// 32-byte form to read.
fn dense(scalars: &Scalars, density: Option<&[u8]>, span: usize, n_rest: usize) -> bool {
    matches!(scalars, Scalars::Bytes(_)) && density.is_none() && 8 * (span - n_rest) <= span
}

/// `buf` cut in consecutive slices of the given sizes (which sum to its length).
fn slices<T>(mut buf: &mut [T], sizes: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    sizes
        .map(|n| {
            let (head, rest) = std::mem::take(&mut buf).split_at_mut(n);
            buf = rest;
            head
        })
        .collect()
}

/// Pass two: each block writes its ones' and its rest's kept positions (little-endian u32) and its rest's
/// scalars into its own slices of `ones`, `rest` and `scalars`, sized by `counts`.
fn fill(
    blocks: &Blocks,
    counts: &[(usize, usize)],
    ones: &mut [u8],
    rest: &mut [u8],
    scalars: &mut [u8],
) {
    let ones = slices(ones, counts.iter().map(|c| 4 * c.0));
    let rest = slices(rest, counts.iter().map(|c| 4 * c.1));
    let scalars = slices(scalars, counts.iter().map(|c| FR_BYTES * c.1));
    ones.into_par_iter()
        .zip(rest)
        .zip(scalars)
        .enumerate()
        .for_each(|(b, ((o, r), sc))| {
            let (mut io, mut ir) = (0, 0);
            blocks.walk(b, |class, k, s| match class {
                1 => {
                    o[4 * io..4 * io + 4].copy_from_slice(&(k as u32).to_le_bytes());
                    io += 1;
                }
                _ => {
                    r[4 * ir..4 * ir + 4].copy_from_slice(&(k as u32).to_le_bytes());
                    sc[FR_BYTES * ir..FR_BYTES * (ir + 1)].copy_from_slice(s);
                    ir += 1;
                }
            });
        });
}

#[cfg(all(feature = "cuda", not(target_endian = "little")))]
compile_error!("the CUDA glue's split writes u32 words as little-endian bytes");

/// u32 words as their bytes, which on the little-endian hosts we build for are their LE encodings.
#[cfg(feature = "cuda")]
fn words_as_bytes(w: &mut [u32]) -> &mut [u8] {
    // SAFETY: u8 has no alignment and no invalid values; the length covers the same memory
    unsafe { std::slice::from_raw_parts_mut(w.as_mut_ptr() as *mut u8, std::mem::size_of_val(w)) }
}

/// The CUDA glue's form: the ones as a bitmap over the span, the rest's positions and scalars; or dense.
#[cfg(feature = "cuda")]
pub fn split(scalars: &Scalars, density: Option<&[u8]>) -> std::result::Result<Split, String> {
    let blocks = Blocks::new(scalars, density)?;
    let span = blocks.span();
    let counts = counts(&blocks)?;
    let n_ones: usize = counts.iter().map(|c| c.0).sum();
    let n_rest: usize = counts.iter().map(|c| c.1).sum();
    let mut s = Split {
        span,
        dense: dense(scalars, density, span, n_rest),
        ones: Vec::new(),
        rest_idx: Vec::new(),
        rest_scalars: Vec::new(),
    };
    if s.dense {
        return Ok(s);
    }
    let mut positions = vec![0u32; n_ones];
    s.rest_idx = vec![0u32; n_rest];
    s.rest_scalars = vec![0u8; n_rest * FR_BYTES];
    fill(
        &blocks,
        &counts,
        words_as_bytes(&mut positions),
        words_as_bytes(&mut s.rest_idx),
        &mut s.rest_scalars,
    );
    if n_ones > 0 {
        // the positions ascend: each run of bitmap words sets the bits of its own range of them
        const WORDS: usize = 1 << 12;
        s.ones = vec![0u32; span.div_ceil(32)];
        s.ones
            .par_chunks_mut(WORDS)
            .enumerate()
            .for_each(|(c, words)| {
                let (lo, hi) = (c * WORDS * 32, (c * WORDS + words.len()) * 32);
                let from = positions.partition_point(|&k| (k as usize) < lo);
                for &k in positions[from..].iter().take_while(|&&k| (k as usize) < hi) {
                    words[(k as usize - lo) / 32] |= 1 << (k % 32);
                }
            });
    }
    Ok(s)
}

/// The scalars the density map keeps, in order, 32 bytes each (the streamed form's input), checked as
/// `split` checks them; scalars already in that form are borrowed.
#[cfg(feature = "cuda")]
pub fn kept<'a>(
    scalars: &Scalars<'a>,
    density: Option<&[u8]>,
) -> std::result::Result<std::borrow::Cow<'a, [u8]>, String> {
    let blocks = Blocks::new(scalars, density)?;
    counts(&blocks)?;
    if let (Scalars::Bytes(b), None) = (scalars, density) {
        return Ok(std::borrow::Cow::Borrowed(*b));
    }
    // each block writes its kept scalars into its own slice of the zeroed output
    let mut out = vec![0u8; blocks.span() * FR_BYTES];
    let parts = slices(
        &mut out,
        (0..blocks.len()).map(|b| FR_BYTES * (blocks.first[b + 1] - blocks.first[b])),
    );
    parts.into_par_iter().enumerate().for_each(|(b, o)| {
        let at = blocks.first[b];
        blocks.walk(b, |class, k, s| {
            let d = &mut o[(k - at) * FR_BYTES..(k - at + 1) * FR_BYTES];
            match class {
                1 => d[0] = 1,
                _ => d.copy_from_slice(s),
            }
        });
    });
    Ok(std::borrow::Cow::Owned(out))
}

/// The WebGPU MSM's form, for a table of buffers of `per_buffer` points from base `start`: little-endian
/// u32 words [form, slots, runs, ones, rest, span], then `slots` run slots of which the first `runs` are
/// used (a table buffer that has entries, in order: its buffer and where its ones and its rest begin), then
/// the ones' buffer-local bases, the rest's buffer-local bases, and the rest's scalars (8 words each).
/// Form 1 (DENSE) has nothing after the header: the MSM reads the scalars as they are.
pub const LISTS: u32 = 0;
pub const DENSE: u32 = 1;

pub fn split_runs(
    scalars: &Scalars,
    density: Option<&[u8]>,
    start: usize,
    per_buffer: usize,
) -> std::result::Result<Vec<u8>, String> {
    let blocks = Blocks::new(scalars, density)?;
    let span = blocks.span();
    let per = per_buffer.max(1);
    let counts = counts(&blocks)?;
    let n_ones: usize = counts.iter().map(|c| c.0).sum();
    let n_rest: usize = counts.iter().map(|c| c.1).sum();
    let header = |form: u32, slots: usize, runs: usize| {
        [form as usize, slots, runs, n_ones, n_rest, span]
            .into_iter()
            .flat_map(|w| (w as u32).to_le_bytes())
            .collect::<Vec<u8>>()
    };
    if dense(scalars, density, span, n_rest) {
        return Ok(header(DENSE, 0, 0));
    }
    // as many run slots as buffers the span touches; the lists after them, at once in the output
    let slots = if span == 0 {
        0
    } else {
        (start + span - 1) / per - start / per + 1
    };
    let head = 24 + 12 * slots;
    let body = 4 * (n_ones + n_rest) + n_rest * FR_BYTES;
    let mut out = vec![0u8; head + body];
    let lists = &mut out[head..];
    {
        let (ones_out, tail) = lists.split_at_mut(4 * n_ones);
        let (rest_out, scalars_out) = tail.split_at_mut(4 * n_rest);
        fill(&blocks, &counts, ones_out, rest_out, scalars_out);
    }
    let (ones, rest) = lists[..4 * (n_ones + n_rest)].split_at(4 * n_ones);
    let position =
        |list: &[u8], j: usize| u32::from_le_bytes(list[4 * j..4 * j + 4].try_into().unwrap());
    // the ones and the rest whose base (start + position) is below `limit` (both lists ascend)
    let under = |list: &[u8], limit: usize| {
        let (mut lo, mut hi) = (0, list.len() / 4);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if start + (position(list, mid) as usize) < limit {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let mut runs: Vec<[u32; 3]> = Vec::new();
    if span > 0 && n_ones + n_rest > 0 {
        // every entry's base is at least `start`, so the first buffer's entries begin at 0, 0
        let mut from = (0, 0);
        for b in start / per..=(start + span - 1) / per {
            let limit = (b + 1) * per;
            let to = (under(ones, limit), under(rest, limit));
            if to != from {
                runs.push([b as u32, from.0 as u32, from.1 as u32]);
            }
            from = to;
        }
    }
    // the positions as buffer-local bases, in place
    lists[..4 * (n_ones + n_rest)]
        .par_chunks_exact_mut(4)
        .for_each(|w| {
            let k = u32::from_le_bytes(w[..].try_into().unwrap()) as usize;
            w.copy_from_slice(&(((start + k) % per) as u32).to_le_bytes());
        });
    out[..24].copy_from_slice(&header(LISTS, slots, runs.len()));
    for (j, w) in runs.iter().flatten().enumerate() {
        out[24 + 4 * j..28 + 4 * j].copy_from_slice(&w.to_le_bytes());
    }
    Ok(out)
}
