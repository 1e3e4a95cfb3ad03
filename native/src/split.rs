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
    let w0 = u64::from_le_bytes(s[0..8].try_into().unwrap());
    if s[8..32].iter().any(|&b| b != 0) {
        2
    } else {
        (w0.min(2)) as u8
    }
}

/// One block's share of the pass: the first bad scalar, and positions (from 0, density-compacted) of its
/// ones and of its other non-zero scalars, those scalars gathered.
struct Block {
    bad: Option<usize>,
    ones: Vec<u32>,
    rest_idx: Vec<u32>,
    rest_scalars: Vec<u8>,
}

/// The blocks of one parallel pass over the scalars, in order, and the span (the density-kept count).
fn blocks(
    scalars: &[u8],
    density: Option<&[u8]>,
) -> std::result::Result<(usize, Vec<Block>), String> {
    let n = crate::msm::scalar_count(scalars, density)?;
    let nblocks = n.div_ceil(BLOCK);
    let counts: Vec<usize> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            match density {
                None => hi - lo,
                Some(d) => d[lo..hi].iter().filter(|&&x| x != 0).count(),
            }
        })
        .collect();
    let mut offsets = Vec::with_capacity(nblocks);
    let mut span = 0usize;
    for c in &counts {
        offsets.push(span);
        span += c;
    }
    if span >= 1 << 32 {
        return Err(format!("msm: {span} bases is past the GPU glue's 2^32"));
    }
    let parts: Vec<Block> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let mut k = offsets[b];
            let mut out = Block {
                bad: None,
                ones: Vec::new(),
                rest_idx: Vec::new(),
                rest_scalars: Vec::new(),
            };
            for i in lo..hi {
                if density.is_some_and(|d| d[i] == 0) {
                    continue;
                }
                let s = &scalars[i * FR_BYTES..(i + 1) * FR_BYTES];
                if s[FR_BYTES - 1] & 0x80 != 0 && out.bad.is_none() {
                    out.bad = Some(i);
                }
                match classify(s) {
                    0 => {}
                    1 => out.ones.push(k as u32),
                    _ => {
                        out.rest_idx.push(k as u32);
                        out.rest_scalars.extend_from_slice(s);
                    }
                }
                k += 1;
            }
            out
        })
        .collect();
    if let Some(i) = parts.iter().find_map(|p| p.bad) {
        return Err(format!("msm: scalar {i} is not reduced modulo r"));
    }
    Ok((span, parts))
}

/// The CUDA glue's form: the ones as a bitmap over the span, the rest's positions and scalars, and with
/// `keep_all` every kept scalar (the streamed form).
#[cfg(feature = "cuda")]
pub fn split(
    scalars: &[u8],
    density: Option<&[u8]>,
    keep_all: bool,
) -> std::result::Result<Split, String> {
    let (span, parts) = blocks(scalars, density)?;
    let mut bitmap = vec![0u32; span.div_ceil(32)];
    let mut any_one = false;
    for p in &parts {
        for &k in &p.ones {
            bitmap[(k / 32) as usize] |= 1 << (k % 32);
            any_one = true;
        }
    }
    let nrest: usize = parts.iter().map(|p| p.rest_idx.len()).sum();
    let mut rest_idx = Vec::with_capacity(nrest);
    let mut rest_scalars = Vec::with_capacity(nrest * FR_BYTES);
    for p in &parts {
        rest_idx.extend_from_slice(&p.rest_idx);
        rest_scalars.extend_from_slice(&p.rest_scalars);
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
/// u32 words [runs, ones, rest, span], then per run (a table buffer that has entries, in order) its buffer
/// and where its ones and its rest begin, then the ones' buffer-local bases, the rest's buffer-local
/// bases, and the rest's scalars (8 words each).
pub fn split_runs(
    scalars: &[u8],
    density: Option<&[u8]>,
    start: usize,
    per_buffer: usize,
) -> std::result::Result<Vec<u8>, String> {
    let (span, parts) = blocks(scalars, density)?;
    let per = per_buffer.max(1);
    // the ones and the rest whose base is below `limit` (both lists ascend, block after block)
    let below = |limit: usize| -> (usize, usize) {
        let under = |list: &[u32]| list.partition_point(|&k| start + (k as usize) < limit);
        parts.iter().fold((0, 0), |(o, r), p| {
            (o + under(&p.ones), r + under(&p.rest_idx))
        })
    };
    let n_ones: usize = parts.iter().map(|p| p.ones.len()).sum();
    let n_rest: usize = parts.iter().map(|p| p.rest_idx.len()).sum();
    let mut runs: Vec<[u32; 3]> = Vec::new();
    if span > 0 && n_ones + n_rest > 0 {
        // every entry's base is at least `start`, so the first buffer's entries begin at 0, 0
        let mut from = (0, 0);
        for b in start / per..=(start + span - 1) / per {
            let to = below((b + 1) * per);
            if to != from {
                runs.push([b as u32, from.0 as u32, from.1 as u32]);
            }
            from = to;
        }
    }
    // buffer-local bases, converted block by block on every core
    let local = |list: &[u32]| -> Vec<u8> {
        list.iter()
            .flat_map(|&k| (((start + k as usize) % per) as u32).to_le_bytes())
            .collect()
    };
    let (ones, rest): (Vec<Vec<u8>>, Vec<Vec<u8>>) = parts
        .par_iter()
        .map(|p| (local(&p.ones), local(&p.rest_idx)))
        .unzip();
    let mut out =
        Vec::with_capacity(16 + 12 * runs.len() + 4 * (n_ones + n_rest) + n_rest * FR_BYTES);
    for w in [runs.len(), n_ones, n_rest, span] {
        out.extend_from_slice(&(w as u32).to_le_bytes());
    }
    for w in runs.iter().flatten() {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for v in ones.iter().chain(rest.iter()) {
        out.extend_from_slice(v);
    }
    for p in &parts {
        out.extend_from_slice(&p.rest_scalars);
    }
    Ok(out)
}
