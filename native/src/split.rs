//! An MSM's scalars sorted the way the GPU backends take them, in one parallel pass: the ones, the
//! positions and values of the other non-zero scalars, zeros dropped; density maps compacted as the
//! CPU's msm does. The CUDA glue takes the ones as a bitmap (`split`), the WebGPU MSM as index lists per
//! table buffer (`split_runs`).

use crate::fr::FR_BYTES;
use rayon::prelude::*;

/// The scalars of one MSM sorted as the CUDA glue takes them, positions relative to `start`.
#[cfg(feature = "cuda")]
pub struct Split {
    pub span: usize,
    pub ones: Vec<u32>,
    pub any_one: bool,
    pub rest_idx: Vec<u32>,
    pub rest_scalars: Vec<u8>,
    /// every kept scalar in order, for the streamed form
    pub kept: Vec<u8>,
}

const BLOCK: usize = 1 << 14;

fn classify(s: &[u8]) -> u8 {
    let w = |k: usize| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap());
    if w(1) | w(2) | w(3) != 0 {
        2
    } else {
        w(0).min(2) as u8
    }
}

/// Block b's scalars (BLOCK of them), and the density-kept count of every block before it, at its first.
struct Blocks<'a> {
    scalars: &'a [u8],
    density: Option<&'a [u8]>,
    n: usize,
    /// the kept position of each block's first kept scalar, and the span (the kept count) last
    first: Vec<usize>,
}

impl<'a> Blocks<'a> {
    fn new(scalars: &'a [u8], density: Option<&'a [u8]>) -> std::result::Result<Self, String> {
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

    /// Calls f(class, kept position, scalar) for block b's kept scalars in order (class 0, 1, or 2 for
    /// the rest); returns the index of its first scalar that is not reduced (its top bit set).
    fn walk(&self, b: usize, mut f: impl FnMut(u8, usize, &[u8])) -> Option<usize> {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(self.n));
        let mut k = self.first[b];
        let mut bad = None;
        for i in lo..hi {
            if self.density.is_some_and(|d| d[i] == 0) {
                continue;
            }
            let s = &self.scalars[i * FR_BYTES..(i + 1) * FR_BYTES];
            if s[FR_BYTES - 1] & 0x80 != 0 && bad.is_none() {
                bad = Some(i);
            }
            f(classify(s), k, s);
            k += 1;
        }
        bad
    }
}

fn check(bad: impl Iterator<Item = Option<usize>>) -> std::result::Result<(), String> {
    match bad.flatten().next() {
        Some(i) => Err(format!("msm: scalar {i} is not reduced modulo r")),
        None => Ok(()),
    }
}

/// `buf` cut in consecutive slices of the given sizes (which sum to its length).
fn slices(mut buf: &mut [u8], sizes: impl Iterator<Item = usize>) -> Vec<&mut [u8]> {
    sizes
        .map(|n| {
            let (head, rest) = std::mem::take(&mut buf).split_at_mut(n);
            buf = rest;
            head
        })
        .collect()
}

/// The CUDA glue's form: the ones as a bitmap over the span, the rest's positions and scalars, and with
/// `keep_all` every kept scalar (the streamed form).
#[cfg(feature = "cuda")]
pub fn split(
    scalars: &[u8],
    density: Option<&[u8]>,
    keep_all: bool,
) -> std::result::Result<Split, String> {
    let blocks = Blocks::new(scalars, density)?;
    let span = blocks.span();
    // each block's ones, and its rest's positions and scalars
    struct Part {
        bad: Option<usize>,
        ones: Vec<u32>,
        idx: Vec<u32>,
        scalars: Vec<u8>,
    }
    let parts: Vec<Part> = (0..blocks.len())
        .into_par_iter()
        .map(|b| {
            let (mut ones, mut idx, mut scalars) = (Vec::new(), Vec::new(), Vec::new());
            let bad = blocks.walk(b, |class, k, s| match class {
                0 => {}
                1 => ones.push(k as u32),
                _ => {
                    idx.push(k as u32);
                    scalars.extend_from_slice(s);
                }
            });
            Part {
                bad,
                ones,
                idx,
                scalars,
            }
        })
        .collect();
    check(parts.iter().map(|p| p.bad))?;
    let mut bitmap = vec![0u32; span.div_ceil(32)];
    let mut any_one = false;
    for p in &parts {
        for &k in &p.ones {
            bitmap[(k / 32) as usize] |= 1 << (k % 32);
            any_one = true;
        }
    }
    let (mut rest_idx, mut rest_scalars) = (Vec::new(), Vec::new());
    for p in &parts {
        rest_idx.extend_from_slice(&p.idx);
        rest_scalars.extend_from_slice(&p.scalars);
    }
    let kept = if !keep_all {
        Vec::new()
    } else if let Some(d) = density {
        let mut v = Vec::with_capacity(span * FR_BYTES);
        for (i, s) in scalars.chunks_exact(FR_BYTES).enumerate() {
            if d[i] != 0 {
                v.extend_from_slice(s);
            }
        }
        v
    } else {
        scalars.to_vec()
    };
    Ok(Split {
        span,
        ones: bitmap,
        any_one,
        rest_idx,
        rest_scalars,
        kept,
    })
}

/// The WebGPU MSM's form, for a table of buffers of `per_buffer` points from base `start`: little-endian
/// u32 words [form, slots, runs, ones, rest, span], then `slots` run slots of which the first `runs` are
/// used (a table buffer that has entries, in order: its buffer and where its ones and its rest begin), then
/// the ones' buffer-local bases, the rest's buffer-local bases, and the rest's scalars (8 words each).
/// Form 1 (DENSE) has nothing after the header: without a density map and with few 0/1 scalars the MSM
/// reads the scalars as they are, which spares gathering them (for a dense vector, a fresh copy of it whose
/// page faults alone cost more than the pass).
pub const LISTS: u32 = 0;
pub const DENSE: u32 = 1;

pub fn split_runs(
    scalars: &[u8],
    density: Option<&[u8]>,
    start: usize,
    per_buffer: usize,
) -> std::result::Result<Vec<u8>, String> {
    let blocks = Blocks::new(scalars, density)?;
    let span = blocks.span();
    let per = per_buffer.max(1);
    // two passes on every core, nothing gathered twice: each block's counts, then each block writes its
    // ones' and rest's positions and its scalars straight into its own slices of the output
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
    check(counts.iter().map(|c| c.0))?;
    let n_ones: usize = counts.iter().map(|c| c.1).sum();
    let n_rest: usize = counts.iter().map(|c| c.2).sum();
    let header = |form: u32, slots: usize, runs: usize| {
        [form as usize, slots, runs, n_ones, n_rest, span]
            .into_iter()
            .flat_map(|w| (w as u32).to_le_bytes())
            .collect::<Vec<u8>>()
    };
    // a 0 or 1 costs Pippenger one addition at most, as the ones' sum does: gathering pays only where
    // they are many (the uploads: 32 bytes a scalar as it is, 4 a one and 36 a rest gathered)
    if density.is_none() && 8 * (span - n_rest) <= span {
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
        let ones_out = slices(ones_out, counts.iter().map(|c| 4 * c.1));
        let rest_out = slices(rest_out, counts.iter().map(|c| 4 * c.2));
        let scalars_out = slices(scalars_out, counts.iter().map(|c| FR_BYTES * c.2));
        ones_out
            .into_par_iter()
            .zip(rest_out)
            .zip(scalars_out)
            .enumerate()
            .for_each(|(b, ((o, r), sc))| {
                let (mut io, mut ir) = (0, 0);
                blocks.walk(b, |class, k, s| match class {
                    0 => {}
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
