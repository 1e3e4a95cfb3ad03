//! An MSM's scalars sorted the way the GPU glue takes them: a bitmap of the ones, the positions and
//! values of the other non-zero scalars, zeros dropped; density maps compacted as the CPU's msm does.

use crate::fr::FR_BYTES;
use rayon::prelude::*;

/// The scalars of one MSM sorted as the GPU takes them, positions relative to `start`.
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

pub fn split(
    scalars: &[u8],
    density: Option<&[u8]>,
    keep_all: bool,
) -> std::result::Result<Split, String> {
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
    type Part = (Option<usize>, Vec<u32>, Vec<u32>, Vec<u8>);
    let parts: Vec<Part> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let mut k = offsets[b];
            let (mut bad, mut ones, mut idx, mut sc) = (None, Vec::new(), Vec::new(), Vec::new());
            for i in lo..hi {
                if density.is_some_and(|d| d[i] == 0) {
                    continue;
                }
                let s = &scalars[i * FR_BYTES..(i + 1) * FR_BYTES];
                if s[FR_BYTES - 1] & 0x80 != 0 && bad.is_none() {
                    bad = Some(i);
                }
                match classify(s) {
                    0 => {}
                    1 => ones.push(k as u32),
                    _ => {
                        idx.push(k as u32);
                        sc.extend_from_slice(s);
                    }
                }
                k += 1;
            }
            (bad, ones, idx, sc)
        })
        .collect();
    if let Some(i) = parts.iter().find_map(|p| p.0) {
        return Err(format!("msm: scalar {i} is not reduced modulo r"));
    }
    let mut bitmap = vec![0u32; span.div_ceil(32)];
    let mut any_one = false;
    for p in &parts {
        for &k in &p.1 {
            bitmap[(k / 32) as usize] |= 1 << (k % 32);
            any_one = true;
        }
    }
    let nrest: usize = parts.iter().map(|p| p.2.len()).sum();
    let mut rest_idx = Vec::with_capacity(nrest);
    let mut rest_scalars = Vec::with_capacity(nrest * FR_BYTES);
    for p in &parts {
        rest_idx.extend_from_slice(&p.2);
        rest_scalars.extend_from_slice(&p.3);
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
