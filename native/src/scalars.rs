//! The values an MSM or a quotient reads, in either of two forms: 32 bytes each, or synthesis's compact
//! witness (src/groth16/witness.ts: a bit a variable saying it is "full", a bit a variable for the value
//! of the others, the full values in variable order). The walks over them (the MSM's split into ones and
//! the rest, the GPU witness code) see the same values in the same classes from either, so a witness
//! reaches the GPU backends without being expanded: a 32GiB partition's aux is 4.2 GB as bytes and
//! ~0.1 GB compact.

use crate::fr::FR_BYTES;
use rayon::prelude::*;

/// Words (of 32 variables) between the compact witness's kept ranks.
const RANK_WORDS: usize = 1 << 10;

pub struct Compact<'a> {
    count: usize,
    full: &'a [u32],
    bits: &'a [u32],
    values: &'a [u8],
    /// full values before every RANK_WORDS words
    ranks: Vec<usize>,
}

impl<'a> Compact<'a> {
    /// The witness's parts, checked to add up: a word of each per 32 variables, a value per full bit.
    pub fn new(
        count: usize,
        full: &'a [u32],
        bits: &'a [u32],
        values: &'a [u8],
    ) -> Result<Self, String> {
        if count >= 1 << 32 {
            return Err(format!("a witness of {count} variables is past 2^32"));
        }
        let words = count.div_ceil(32);
        if full.len() != words || bits.len() != words {
            return Err(format!(
                "compact witness: {count} variables take {words} words, not {} and {}",
                full.len(),
                bits.len()
            ));
        }
        let counts: Vec<usize> = full
            .par_chunks(RANK_WORDS)
            .map(|c| c.iter().map(|w| w.count_ones() as usize).sum())
            .collect();
        let mut ranks = Vec::with_capacity(counts.len() + 1);
        let mut total = 0;
        for c in counts {
            ranks.push(total);
            total += c;
        }
        ranks.push(total);
        if total * FR_BYTES != values.len() {
            return Err(format!(
                "compact witness: {} values for {total} full variables",
                values.len() / FR_BYTES
            ));
        }
        Ok(Compact {
            count,
            full,
            bits,
            values,
            ranks,
        })
    }

    /// The witness as 32 bytes a variable into `out` (count * FR_BYTES of them), on every core.
    pub fn expand(&self, out: &mut [u8]) {
        assert_eq!(out.len(), self.count * FR_BYTES, "expand: output length");
        let per = RANK_WORDS * 32;
        out.par_chunks_mut(per * FR_BYTES)
            .enumerate()
            .for_each(|(chunk, o)| {
                o.fill(0);
                let lo = chunk * per;
                self.nonzero(lo, lo + o.len() / FR_BYTES, None, |i, _, v| {
                    let d = &mut o[(i - lo) * FR_BYTES..(i - lo + 1) * FR_BYTES];
                    match v {
                        Val::Bit(_) => d[0] = 1,
                        Val::Other(s) => d.copy_from_slice(s),
                    }
                });
            });
    }

    /// Scalars::nonzero of the compact form: a word of 32 variables at a time, its set bits only.
    #[inline]
    pub fn nonzero(
        &self,
        lo: usize,
        hi: usize,
        density: Option<&[u8]>,
        mut f: impl FnMut(usize, usize, Val<'a>),
    ) {
        let values: &'a [u8] = self.values;
        let (mut k, mut next) = (0, if lo < hi { self.rank(lo) } else { 0 });
        let mut at = lo;
        while at < hi {
            let (w, from) = (at / 32, at % 32);
            let to = (hi - w * 32).min(32);
            let span = bits_in(from, to);
            let kept = match density {
                None => span,
                Some(d) => (from..to).fold(0, |m, j| m | ((d[w * 32 + j] != 0) as u32) << j),
            };
            let full = self.full[w];
            let mut set = (self.bits[w] | full) & kept;
            while set != 0 {
                let j = set.trailing_zeros() as usize;
                set &= set - 1;
                let kk = k + (kept & bits_in(from, j)).count_ones() as usize;
                if (full >> j) & 1 == 1 {
                    let v = next + (full & bits_in(from, j)).count_ones() as usize;
                    match val(&values[v * FR_BYTES..(v + 1) * FR_BYTES]) {
                        Val::Bit(false) => {}
                        v => f(w * 32 + j, kk, v),
                    }
                } else {
                    f(w * 32 + j, kk, Val::Bit(true));
                }
            }
            k += kept.count_ones() as usize;
            next += (full & span).count_ones() as usize;
            at = w * 32 + to;
        }
    }

    /// Full values before each word (of 32 variables): with them a full variable's value is one lookup
    /// away (`full_value`), for a reader that goes at random (the CPU's A, B, C).
    pub fn word_ranks(&self) -> Vec<u32> {
        let mut ranks = vec![0u32; self.full.len()];
        ranks
            .par_chunks_mut(RANK_WORDS)
            .zip(self.full.par_chunks(RANK_WORDS))
            .enumerate()
            .for_each(|(chunk, (r, f))| {
                let mut before = self.ranks[chunk];
                for (r, w) in r.iter_mut().zip(f) {
                    *r = before as u32;
                    before += w.count_ones() as usize;
                }
            });
        ranks
    }

    /// Full variable j's value (j must be full), `ranks` from word_ranks.
    #[inline]
    pub fn full_value(&self, j: usize, ranks: &[u32]) -> &'a [u8] {
        let (w, b) = (j / 32, j % 32);
        let k = ranks[w] as usize + (self.full[w] & bits_in(0, b)).count_ones() as usize;
        &self.values[k * FR_BYTES..(k + 1) * FR_BYTES]
    }

    /// Full values before variable i.
    fn rank(&self, i: usize) -> usize {
        let (w, b) = (i / 32, i % 32);
        let chunk = w / RANK_WORDS;
        let whole: usize = self.full[chunk * RANK_WORDS..w]
            .iter()
            .map(|x| x.count_ones() as usize)
            .sum();
        self.ranks[chunk] + whole + (self.full[w] & bits_in(0, b)).count_ones() as usize
    }
}

/// A value as a walk sees it: 0 or 1, or any other value's bytes (canonical or not: the walker checks).
#[derive(Clone, Copy)]
pub enum Val<'a> {
    Bit(bool),
    Other(&'a [u8]),
}

/// Bits from..to of a word (to up to 32).
#[inline]
fn bits_in(from: usize, to: usize) -> u32 {
    let below = if to >= 32 { !0 } else { (1u32 << to) - 1 };
    below & (!0u32 << from)
}

/// 32 bytes as a walk sees them.
#[inline]
pub fn val(s: &[u8]) -> Val<'_> {
    let w = |k: usize| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap());
    if w(1) | w(2) | w(3) == 0 && w(0) <= 1 {
        Val::Bit(w(0) == 1)
    } else {
        Val::Other(s)
    }
}

pub enum Scalars<'a> {
    Bytes(&'a [u8]),
    Compact(Compact<'a>),
}

impl<'a> Scalars<'a> {
    /// Bytes, checked to be a whole number of values (`what` starts the message).
    pub fn bytes(b: &'a [u8], what: &str) -> Result<Self, String> {
        if b.len() % FR_BYTES != 0 {
            return Err(format!(
                "{what}: {} bytes is not a whole number of scalars",
                b.len()
            ));
        }
        Ok(Scalars::Bytes(b))
    }

    pub fn len(&self) -> usize {
        match self {
            Scalars::Bytes(b) => b.len() / FR_BYTES,
            Scalars::Compact(c) => c.count,
        }
    }

    /// f(i, k, value i) for the non-zero values among lo..hi that `density` keeps (all without a map),
    /// in order, k the number kept in lo..i. Zeros are skipped, which is most of a PoRep witness: the
    /// compact form is walked a word of 32 variables at a time, its set bits only. A full value of the
    /// compact form that is 0 or 1 is seen as the bit it is, so both forms of one witness walk alike.
    #[inline]
    pub fn nonzero(
        &self,
        lo: usize,
        hi: usize,
        density: Option<&[u8]>,
        mut f: impl FnMut(usize, usize, Val<'a>),
    ) {
        match self {
            Scalars::Bytes(b) => {
                let b: &'a [u8] = b;
                let mut k = 0;
                for i in lo..hi {
                    if density.is_some_and(|d| d[i] == 0) {
                        continue;
                    }
                    match val(&b[i * FR_BYTES..(i + 1) * FR_BYTES]) {
                        Val::Bit(false) => {}
                        v => f(i, k, v),
                    }
                    k += 1;
                }
            }
            Scalars::Compact(c) => c.nonzero(lo, hi, density, f),
        }
    }
}
