//! An MSM's scalars sorted the way the GPU backends take them, in two parallel passes (each block's
//! counts, then each block writes straight into its own slices of the output): the ones as a bitmap over
//! the span, the positions and values of the other non-zero scalars, zeros dropped; density maps
//! compacted as the CPU's msm does. Where there is no density map and few 0/1 scalars, both backends read
//! the scalars as they are (the dense form), which spares gathering them. The CUDA glue hands the bitmap
//! to sppark's batch addition; the WebGPU MSM compacts each table buffer's share of it on the GPU.

use crate::fr::FR_BYTES;
use crate::scalars::{Scalars, Val};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// The scalars of one MSM sorted as the GPU backends take them, positions relative to `start`. A dense
/// split has no lists: the backend reads the caller's scalars, bases `start + i`.
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

/// Pass two: each block sets its ones' bits in `ones` (a bitmap over the span, empty where there are
/// none: a block's first and last words may be its neighbours' too, so a word goes in by one `fetch_or`
/// once the block leaves it) and writes its rest's kept positions (little-endian u32) and scalars into
/// its own slices of `rest` and `scalars`, sized by `counts`.
fn fill(
    blocks: &Blocks,
    counts: &[(usize, usize)],
    ones: &[AtomicU32],
    rest: &mut [u8],
    scalars: &mut [u8],
) {
    let rest = slices(rest, counts.iter().map(|c| 4 * c.1));
    let scalars = slices(scalars, counts.iter().map(|c| FR_BYTES * c.1));
    rest.into_par_iter()
        .zip(scalars)
        .enumerate()
        .for_each(|(b, (r, sc))| {
            let mut ir = 0;
            // the word being set, and its bits so far
            let (mut word, mut bits) = (usize::MAX, 0u32);
            blocks.walk(b, |class, k, s| match class {
                1 => {
                    if k / 32 != word {
                        if bits != 0 {
                            ones[word].fetch_or(bits, Ordering::Relaxed);
                        }
                        (word, bits) = (k / 32, 0);
                    }
                    bits |= 1 << (k % 32);
                }
                _ => {
                    r[4 * ir..4 * ir + 4].copy_from_slice(&(k as u32).to_le_bytes());
                    sc[FR_BYTES * ir..FR_BYTES * (ir + 1)].copy_from_slice(s);
                    ir += 1;
                }
            });
            if bits != 0 {
                ones[word].fetch_or(bits, Ordering::Relaxed);
            }
        });
}

#[cfg(not(target_endian = "little"))]
compile_error!("the GPU backends' split writes u32 words as little-endian bytes");

/// u32 words as their bytes, which on the little-endian hosts we build for are their LE encodings.
fn words_as_bytes(w: &mut [u32]) -> &mut [u8] {
    // SAFETY: u8 has no alignment and no invalid values; the length covers the same memory
    unsafe { std::slice::from_raw_parts_mut(w.as_mut_ptr() as *mut u8, std::mem::size_of_val(w)) }
}

/// The GPU backends' form: the ones as a bitmap over the span, the rest's positions and scalars; or dense.
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
    let ones: Vec<AtomicU32> = if n_ones > 0 {
        (0..span.div_ceil(32)).map(|_| AtomicU32::new(0)).collect()
    } else {
        Vec::new()
    };
    s.rest_idx = vec![0u32; n_rest];
    s.rest_scalars = vec![0u8; n_rest * FR_BYTES];
    fill(
        &blocks,
        &counts,
        &ones,
        words_as_bytes(&mut s.rest_idx),
        &mut s.rest_scalars,
    );
    s.ones = ones.into_iter().map(AtomicU32::into_inner).collect();
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
