//! Radix-2 NTT over Fr and Groth16's quotient with bellperson's EvaluationDomain semantics:
//! omega = ROOT_OF_UNITY^(2^(32 - log m)) with ROOT_OF_UNITY = 7^((r - 1) / 2^32), the coset of the
//! multiplicative generator 7. The transform is decimation in time after a bit-reversal permutation;
//! the first stages run inside cache-sized chunks, the later ones across the array, all on rayon.

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

fn bit_reverse(a: &mut [blst_fr]) {
    let n = a.len();
    if n <= 2 {
        return;
    }
    let shift = usize::BITS - n.trailing_zeros();
    let p = SendPtr(a.as_mut_ptr());
    (0..n).into_par_iter().with_min_len(1 << 14).for_each(|i| {
        let j = i.reverse_bits() >> shift;
        if i < j {
            // each pair (i, j) is swapped by exactly one i
            unsafe { std::ptr::swap(p.get().add(i), p.get().add(j)) };
        }
    });
}

#[inline(always)]
fn bfly(x0: &mut blst_fr, x1: &mut blst_fr, w: &blst_fr) {
    // x0, x1 = x0 + w*x1, x0 - w*x1
    unsafe { blst_fr_ct_bfly(x0, x1, w) };
}

/// Forward transform with the given primitive len-th root of unity, in place.
pub fn ntt(a: &mut [blst_fr], omega: &blst_fr) {
    let n = a.len();
    assert!(n.is_power_of_two(), "NTT size must be a power of two");
    if n <= 1 {
        return;
    }
    bit_reverse(a);
    let tw = fr::powers(omega, n / 2, &fr::fr_one());
    let threads = rayon::current_num_threads().max(1);

    // stages with blocks of up to `inner` elements: each chunk independently, while it is in cache
    let inner = n.min(1 << 12);
    a.par_chunks_mut(inner).for_each(|chunk| {
        let mut h = 1;
        while h < inner {
            let stride = n / (2 * h);
            for block in chunk.chunks_exact_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                for j in 0..h {
                    bfly(&mut lo[j], &mut hi[j], &tw[j * stride]);
                }
            }
            h *= 2;
        }
    });

    let mut h = inner;
    while h < n {
        let stride = n / (2 * h);
        let blocks = n / (2 * h);
        if blocks >= threads * 4 {
            a.par_chunks_mut(2 * h).for_each(|block| {
                let (lo, hi) = block.split_at_mut(h);
                for j in 0..h {
                    bfly(&mut lo[j], &mut hi[j], &tw[j * stride]);
                }
            });
        } else {
            let g = (h / (threads * 8)).max(1024).min(h);
            for block in a.chunks_exact_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                lo.par_chunks_mut(g)
                    .zip(hi.par_chunks_mut(g))
                    .enumerate()
                    .for_each(|(ci, (l, hh))| {
                        let base = ci * g;
                        for j in 0..l.len() {
                            bfly(&mut l[j], &mut hh[j], &tw[(base + j) * stride]);
                        }
                    });
            }
        }
        h *= 2;
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

/// The Backend's ntt: forward, or inverse scaled by 1/m.
pub fn ntt_public(a: &mut [blst_fr], inverse: bool) -> Result<(), String> {
    let n = a.len();
    if n == 0 {
        return Ok(());
    }
    let l = log2_exact(n)?;
    let w = omega(l);
    if inverse {
        ntt(a, &fr::inverse(&w));
        let minv = fr::inverse(&fr::fr_from_u64(n as u64));
        a.par_chunks_mut(CHUNK)
            .for_each(|c| c.iter_mut().for_each(|x| fr::mul_assign(x, &minv)));
    } else {
        ntt(a, &w);
    }
    Ok(())
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
    let winv = fr::inverse(&w);
    let g = fr::fr_from_u64(GENERATOR);
    let ginv = fr::inverse(&g);
    let minv = fr::inverse(&fr::fr_from_u64(m as u64));
    let zinv = fr::inverse(&fr::sub(&fr::pow(&g, m as u64), &fr::fr_one()));
    let to_coset = |v: &mut [blst_fr]| {
        ntt(v, &winv);
        fr::distribute_powers(v, &g, &minv);
        ntt(v, &w);
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
    drop(c);
    ntt(&mut a, &winv);
    fr::distribute_powers(&mut a, &ginv, &minv);
    Ok(a)
}
