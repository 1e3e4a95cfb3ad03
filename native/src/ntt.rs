//! The NTT over Fr and Groth16's quotient with bellperson's EvaluationDomain semantics:
//! omega = ROOT_OF_UNITY^(2^(32 - log m)) with ROOT_OF_UNITY = 7^((r - 1) / 2^32), the coset of the
//! multiplicative generator 7.
//!
//! A transform of m = n1 * n2 points runs as Bailey's four steps (`FourStep`): n1-point transforms down
//! the columns of the n1 x n2 row-major matrix, a twiddle w^(row * column), n2-point transforms along
//! the rows. Each of those fits in cache, so a transform is two passes over memory where radix-2 made
//! one per stage past the cache (ten at 2^22) and a bit-reversal pass of cache misses. Its output is in
//! the transposed order (below); the quotient never pays for putting it back: the coefficients it
//! scales by the coset's powers are left transposed, and the forward transform takes them so.

use crate::curve::SendPtr;
use crate::fr::{self, CHUNK};
use blst::*;
use rayon::prelude::*;

/// Fr's two-adicity.
pub const S: u32 = 32;
pub const GENERATOR: u64 = 7;
/// (r - 1) / 2^32, little-endian limbs.
const T: [u64; 4] = [
    0xfffe5bfeffffffff,
    0x09a1d80553bda402,
    0x299d7d483339d808,
    0x73eda753,
];
/// Below this size a transform is one row on one thread: splitting it would cost more than it saves.
const LOG_SPLIT: u32 = 12;
/// Fr values of a column pass's working set (n1 x its columns): 512 KiB, a core's L2.
const COLUMN_WORKING_SET: usize = 1 << 14;

pub fn root_of_unity() -> blst_fr {
    fr::pow_limbs(&fr::fr_from_u64(GENERATOR), &T)
}

/// The primitive 2^log_m-th root of unity bellperson uses.
pub fn omega(log_m: u32) -> blst_fr {
    let mut w = root_of_unity();
    for _ in log_m..S {
        unsafe { blst_fr_sqr(&mut w, &w) };
    }
    w
}

/// Natural order in and out, on this thread: a bit-reversal then radix-2 stages, all in cache. `tw`
/// holds the first len/2 powers of a primitive len-th root.
fn small_ntt(a: &mut [blst_fr], tw: &[blst_fr]) {
    let n = a.len();
    if n <= 1 {
        return;
    }
    let shift = usize::BITS - n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> shift;
        if i < j {
            a.swap(i, j);
        }
    }
    let mut h = 1;
    while h < n {
        let stride = n / (2 * h);
        for block in a.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            // every block's first twiddle is 1: n - 1 of the (n/2) log n products spared
            let d = fr::sub(&lo[0], &hi[0]);
            lo[0] = fr::add(&lo[0], &hi[0]);
            hi[0] = d;
            for j in 1..h {
                // lo, hi = lo + w*hi, lo - w*hi
                unsafe { blst_fr_ct_bfly(&mut lo[j], &mut hi[j], &tw[j * stride]) };
            }
        }
        h *= 2;
    }
}

/// x[i] *= start * step^i: the coset's powers over a row of transposed coefficients.
fn scale_row(row: &mut [blst_fr], start: blst_fr, step: &blst_fr) {
    let mut u = start;
    for x in row.iter_mut() {
        fr::mul_assign(x, &u);
        fr::mul_assign(&mut u, step);
    }
}

/// Whether a column pass applies its twiddle after the column transforms (natural in, transposed out)
/// or before them (transposed in, natural out).
#[derive(Clone, Copy, PartialEq)]
enum Twiddle {
    After,
    Before,
}

/// A transform of 2^(l1 + l2) points with a given root w, as n1 = 2^l1 rows of n2 = 2^l2. Natural
/// order is index i at position i; transposed order is index k1 + n1 * k2 at position n2 * k1 + k2.
/// `columns(After)` then `row` on every row maps natural to transposed; `row` on every row then
/// `columns(Before)` maps transposed to natural.
struct FourStep {
    n1: usize,
    n2: usize,
    /// powers of w^n1, a primitive n2-th root
    row_tw: Vec<blst_fr>,
    /// powers of w^n2, a primitive n1-th root
    col_tw: Vec<blst_fr>,
    /// w^c for every column c: column c's twiddle is w^(c * row)
    col_step: Vec<blst_fr>,
}

impl FourStep {
    fn new(log_m: u32, w: &blst_fr) -> FourStep {
        let l1 = if log_m < LOG_SPLIT { 0 } else { log_m / 2 };
        let (n1, n2) = (1usize << l1, 1usize << (log_m - l1));
        let one = fr::fr_one();
        FourStep {
            n1,
            n2,
            row_tw: fr::powers(&fr::pow(w, n1 as u64), n2 / 2, &one),
            col_tw: fr::powers(&fr::pow(w, n2 as u64), n1 / 2, &one),
            col_step: if n1 > 1 {
                fr::powers(w, n2, &one)
            } else {
                Vec::new()
            },
        }
    }

    fn row(&self, row: &mut [blst_fr]) {
        small_ntt(row, &self.row_tw);
    }

    /// The n1-point transforms of every column and their twiddles, a few adjacent columns per work item
    /// (gathered, transformed in cache, scattered back).
    fn columns(&self, a: &mut [blst_fr], twiddle: Twiddle) {
        let (n1, n2) = (self.n1, self.n2);
        if n1 == 1 {
            return;
        }
        let width = (COLUMN_WORKING_SET / n1).clamp(2, 8).min(n2);
        let base = SendPtr(a.as_mut_ptr());
        (0..n2 / width).into_par_iter().for_each_init(
            || vec![blst_fr::default(); n1 * width],
            |buf, block| {
                let c0 = block * width;
                // work items own disjoint columns
                let at = |r: usize, b: usize| unsafe { base.get().add(r * n2 + c0 + b) };
                for r in 0..n1 {
                    for b in 0..width {
                        buf[b * n1 + r] = unsafe { *at(r, b) };
                    }
                }
                for (b, col) in buf.chunks_exact_mut(n1).enumerate() {
                    if twiddle == Twiddle::After {
                        small_ntt(col, &self.col_tw);
                    }
                    scale_row(col, fr::fr_one(), &self.col_step[c0 + b]);
                    if twiddle == Twiddle::Before {
                        small_ntt(col, &self.col_tw);
                    }
                }
                for r in 0..n1 {
                    for b in 0..width {
                        unsafe { *at(r, b) = buf[b * n1 + r] };
                    }
                }
            },
        );
    }

    /// Natural to transposed, then `each(row index, row)` on every row.
    fn to_transposed(&self, a: &mut [blst_fr], each: impl Fn(usize, &mut [blst_fr]) + Sync) {
        self.columns(a, Twiddle::After);
        a.par_chunks_mut(self.n2).enumerate().for_each(|(r, row)| {
            self.row(row);
            each(r, row);
        });
    }

    /// out[k1 + n1 * k2] = a[n2 * k1 + k2]: transposed order to natural, a few columns per work item.
    fn untranspose(&self, a: &[blst_fr], out: &mut [blst_fr]) {
        let (n1, n2) = (self.n1, self.n2);
        if n1 == 1 {
            out.copy_from_slice(a);
            return;
        }
        let width = 8.min(n2);
        out.par_chunks_mut(n1 * width)
            .enumerate()
            .for_each(|(block, o)| {
                let k0 = block * width;
                for k1 in 0..n1 {
                    for t in 0..width {
                        o[t * n1 + k1] = a[n2 * k1 + k0 + t];
                    }
                }
            });
    }
}

fn log2_exact(n: usize) -> Result<u32, String> {
    if n == 0 || !n.is_power_of_two() {
        return Err(format!("NTT size {n} is not a power of two"));
    }
    let l = n.trailing_zeros();
    if l > S {
        return Err(format!("NTT size 2^{l} exceeds Fr's two-adicity 2^{S}"));
    }
    Ok(l)
}

/// The Backend's ntt, natural order in and out: forward, or inverse scaled by 1/m.
pub fn ntt_public(a: Vec<blst_fr>, inverse: bool) -> Result<Vec<blst_fr>, String> {
    let n = a.len();
    if n == 0 {
        return Ok(a);
    }
    let l = log2_exact(n)?;
    let w = omega(l);
    let mut a = a;
    let steps = FourStep::new(l, &if inverse { fr::inverse(&w) } else { w });
    let minv = fr::inverse(&fr::fr_from_u64(n as u64));
    steps.to_transposed(&mut a, |_, row| {
        if inverse {
            row.iter_mut().for_each(|x| fr::mul_assign(x, &minv));
        }
    });
    let mut out = vec![blst_fr::default(); n];
    steps.untranspose(&a, &mut out);
    Ok(out)
}

/// H = (A*B - C) / Z as bellperson computes it; inputs already padded to the domain size m; returns
/// all m coefficients (the caller drops the last).
pub fn quotient(a: Vec<blst_fr>, b: Vec<blst_fr>, c: Vec<blst_fr>) -> Result<Vec<blst_fr>, String> {
    if c.len() != a.len() {
        return Err(format!(
            "quotient: a has {} elements, c {}",
            a.len(),
            c.len()
        ));
    }
    quotient_late_c(a, b, move |slot| {
        slot.copy_from_slice(&c);
        Ok(())
    })
}

/// The quotient with C supplied late: A and B come padded to the domain size m; `fill_c` writes every
/// element of C into the vector B occupied once A*B is taken, so two domain vectors live, not three.
pub fn quotient_late_c(
    mut a: Vec<blst_fr>,
    mut b: Vec<blst_fr>,
    fill_c: impl FnOnce(&mut [blst_fr]) -> Result<(), String>,
) -> Result<Vec<blst_fr>, String> {
    let m = a.len();
    if b.len() != m {
        return Err(format!("quotient: a has {m} elements, b {}", b.len()));
    }
    let l = log2_exact(m)?;
    let w = omega(l);
    let forward = FourStep::new(l, &w);
    let inverse = FourStep::new(l, &fr::inverse(&w));
    let g = fr::fr_from_u64(GENERATOR);
    let ginv = fr::inverse(&g);
    let minv = fr::inverse(&fr::fr_from_u64(m as u64));
    let zinv = fr::inverse(&fr::sub(&fr::pow(&g, m as u64), &fr::fr_one()));
    // row r of transposed coefficients holds indices r + n1 * k: its coset powers are g^r * (g^n1)^k
    let coset_row = |g: &blst_fr, row_index: usize| fr::mul(&minv, &fr::pow(g, row_index as u64));
    let (g_n1, ginv_n1) = (
        fr::pow(&g, forward.n1 as u64),
        fr::pow(&ginv, forward.n1 as u64),
    );
    // evaluations on the domain -> coefficients / m (transposed) -> times g^i -> evaluations on the coset
    let to_coset = |v: &mut [blst_fr]| {
        inverse.to_transposed(v, |r, row| {
            scale_row(row, coset_row(&g, r), &g_n1);
            forward.row(row);
        });
        forward.columns(v, Twiddle::Before);
    };
    to_coset(&mut a);
    to_coset(&mut b);
    a.par_chunks_mut(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .for_each(|(x, y)| {
            for i in 0..x.len() {
                fr::mul_assign(&mut x[i], &y[i]);
            }
        });
    let mut c = b;
    fill_c(&mut c)?;
    to_coset(&mut c);
    a.par_chunks_mut(CHUNK)
        .zip(c.par_chunks(CHUNK))
        .for_each(|(x, z)| {
            for i in 0..x.len() {
                x[i] = fr::mul(&fr::sub(&x[i], &z[i]), &zinv);
            }
        });
    inverse.to_transposed(&mut a, |r, row| {
        scale_row(row, coset_row(&ginv, r), &ginv_n1)
    });
    // C's vector, free now, takes H in natural order
    inverse.untranspose(&a, &mut c);
    Ok(c)
}
