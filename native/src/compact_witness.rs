//! The compact witness synthesis hands the prover (src/groth16/witness.ts: a bit a variable saying it is
//! "full", a bit a variable for the value of the others, the full values in order) expanded to 32 bytes a
//! variable on every core: a 32GiB partition's 4.2 GB was a JS loop of ~0.8 s on the event loop.

use crate::fr::FR_BYTES;
use rayon::prelude::*;

/// Words (of 32 variables) a work item.
const WORDS: usize = 1 << 10;

pub fn expand(full: &[u32], bits: &[u32], values: &[u8], out: &mut [u8]) -> Result<(), String> {
    if out.len() % FR_BYTES != 0 {
        return Err(format!(
            "expandWitness: {} bytes is not a whole number of scalars",
            out.len()
        ));
    }
    let count = out.len() / FR_BYTES;
    let words = count.div_ceil(32);
    if full.len() != words || bits.len() != words {
        return Err(format!(
            "expandWitness: {count} variables take {words} words, not {} and {}",
            full.len(),
            bits.len()
        ));
    }
    // the full values before each work item
    let counts: Vec<usize> = full
        .par_chunks(WORDS)
        .map(|c| c.iter().map(|w| w.count_ones() as usize).sum())
        .collect();
    let total: usize = counts.iter().sum();
    if total * FR_BYTES != values.len() {
        return Err(format!(
            "compact witness: {} values for {total} full variables",
            values.len() / FR_BYTES
        ));
    }
    let first: Vec<usize> = counts
        .iter()
        .scan(0, |before, c| {
            let at = *before;
            *before += c;
            Some(at)
        })
        .collect();
    out.par_chunks_mut(WORDS * 32 * FR_BYTES)
        .enumerate()
        .for_each(|(b, o)| {
            o.fill(0);
            let mut next = first[b];
            let from = b * WORDS;
            for (k, (&f, &one)) in full[from..]
                .iter()
                .zip(&bits[from..])
                .take(WORDS)
                .enumerate()
            {
                if f | one == 0 {
                    continue;
                }
                for j in 0..32 {
                    let at = (k * 32 + j) * FR_BYTES;
                    if at >= o.len() {
                        break;
                    }
                    if (f >> j) & 1 == 1 {
                        o[at..at + FR_BYTES]
                            .copy_from_slice(&values[next * FR_BYTES..(next + 1) * FR_BYTES]);
                        next += 1;
                    } else if (one >> j) & 1 == 1 {
                        o[at] = 1;
                    }
                }
            }
        });
    Ok(())
}
