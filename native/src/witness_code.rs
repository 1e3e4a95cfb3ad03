//! A witness as the GPU backends expand it on the device (shaders/witness.wgsl): for every 32 variables
//! a word of which are non-zero, a word of which are neither 0 nor 1 ("general"), and how many general
//! values come before them; then the general values alone, in order. PoRep's aux is ~98% 0 and 1, so a
//! 32GiB partition's 4.2 GB witness crosses the bus as ~0.1 GB. Every value is checked canonical on the
//! way, so this pass replaces the backends' own check of the witness.
//!
//! Layout, u32 little-endian words: variables, groups (variables / 32, rounded up), general values;
//! then three words a group (non-zero bits, general bits, general values before the group); then eight
//! words a general value (its canonical bytes).

use crate::fr::{below_r, FR_BYTES};
use crate::scalars::{Scalars, Val};
use rayon::prelude::*;

/// Variables a work item: whole groups of 32.
const BLOCK: usize = 1 << 14;
const HEADER_WORDS: usize = 3;
const GROUP_WORDS: usize = 3;

/// A code read back into its parts, as the CUDA glue takes them.
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
pub struct Parts<'a> {
    pub vars: usize,
    /// GROUP_WORDS little-endian words a group of 32 variables
    pub groups: &'a [u8],
    pub general: usize,
    /// the general values, FR_BYTES each
    pub values: &'a [u8],
}

#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
pub fn parts(code: &[u8]) -> Parts<'_> {
    let word = |k: usize| u32::from_le_bytes(code[4 * k..4 * k + 4].try_into().unwrap()) as usize;
    let (vars, groups, general) = (word(0), word(1), word(2));
    let (groups, values) = code[HEADER_WORDS * 4..].split_at(GROUP_WORDS * 4 * groups);
    Parts {
        vars,
        groups,
        general,
        values: &values[..general * FR_BYTES],
    }
}

fn limbs(s: &[u8]) -> [u64; 4] {
    std::array::from_fn(|k| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap()))
}

/// f(i, value i) for the non-zero variables among lo..hi of inputs then aux.
fn walk<'a>(
    inputs: &Scalars<'a>,
    aux: &Scalars<'a>,
    lo: usize,
    hi: usize,
    mut f: impl FnMut(usize, Val<'a>),
) {
    let ni = inputs.len();
    inputs.nonzero(lo.min(ni), hi.min(ni), None, |i, _, v| f(i, v));
    aux.nonzero(lo.max(ni) - ni, hi.max(ni) - ni, None, |j, _, v| {
        f(ni + j, v)
    });
}

/// inputs then aux as their code; aux in either form (scalars.rs), which gives the same code.
pub fn encode(inputs: &[u8], aux: &Scalars) -> Result<Vec<u8>, String> {
    let inputs = Scalars::bytes(inputs, "inputs")?;
    let ni = inputs.len();
    let n = ni + aux.len();
    if n >= 1 << 32 {
        return Err(format!("a witness of {n} variables is past 2^32"));
    }
    let blocks = n.div_ceil(BLOCK);
    let range = |b: usize| (b * BLOCK, ((b + 1) * BLOCK).min(n));
    // pass one: each block's general values, or its first value not below r
    let counts: Vec<Result<usize, usize>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = range(b);
            let (mut count, mut bad) = (0, None);
            walk(&inputs, aux, lo, hi, |i, v| {
                if let Val::Other(s) = v {
                    if !below_r(&limbs(s)) {
                        bad = bad.or(Some(i));
                    }
                    count += 1;
                }
            });
            bad.map_or(Ok(count), Err)
        })
        .collect();
    if let Some(i) = counts.iter().filter_map(|c| c.err()).min() {
        return Err(if i < ni {
            format!("inputs: scalar {i} is not reduced modulo r")
        } else {
            format!("aux: scalar {} is not reduced modulo r", i - ni)
        });
    }
    let counts: Vec<usize> = counts.into_iter().map(|c| c.unwrap_or(0)).collect();
    let total: usize = counts.iter().sum();
    let groups = n.div_ceil(32);
    let mut out = vec![0u8; (HEADER_WORDS + GROUP_WORDS * groups + 8 * total) * 4];
    let (head, rest) = out.split_at_mut(HEADER_WORDS * 4);
    for (k, w) in [n, groups, total].into_iter().enumerate() {
        head[4 * k..4 * k + 4].copy_from_slice(&(w as u32).to_le_bytes());
    }
    let (group_bytes, mut left) = rest.split_at_mut(GROUP_WORDS * 4 * groups);
    // pass two: each block writes its groups and its own slice of the values
    let mut values = Vec::with_capacity(blocks);
    let mut first = Vec::with_capacity(blocks);
    let mut before = 0;
    for &c in &counts {
        let (mine, others) = std::mem::take(&mut left).split_at_mut(c * FR_BYTES);
        values.push(mine);
        left = others;
        first.push(before);
        before += c;
    }
    group_bytes
        .par_chunks_mut(BLOCK / 32 * GROUP_WORDS * 4)
        .zip(values.into_par_iter())
        .enumerate()
        .for_each(|(b, (gs, vals))| {
            let (lo, hi) = range(b);
            // per group of 32: non-zero bits, general bits
            let mut bits = vec![(0u32, 0u32); (hi - lo).div_ceil(32)];
            let mut at = 0;
            walk(&inputs, aux, lo, hi, |i, v| {
                let (g, j) = ((i - lo) / 32, (i - lo) % 32);
                match v {
                    Val::Bit(_) => bits[g].0 |= 1 << j,
                    Val::Other(s) => {
                        bits[g].0 |= 1 << j;
                        bits[g].1 |= 1 << j;
                        vals[at..at + FR_BYTES].copy_from_slice(s);
                        at += FR_BYTES;
                    }
                }
            });
            let mut rank = first[b];
            for (rec, (nonzero, big)) in gs.chunks_exact_mut(GROUP_WORDS * 4).zip(bits) {
                for (k, w) in [nonzero, big, rank as u32].into_iter().enumerate() {
                    rec[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
                }
                rank += big.count_ones() as usize;
            }
        });
    Ok(out)
}
