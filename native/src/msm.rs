//! Multi-scalar multiplication over a table of affine bases.
//!
//! Scalars are split three ways in one parallel pass: zeros are skipped, ones (most of a PoRep
//! witness is bits) are summed with blst's batched affine additions, and the rest go to a
//! tiled, multithreaded Pippenger (blst's signed-digit tile kernel over pointer arrays, tiles
//! scheduled on rayon the way the blst crate schedules them on its own pool). No base or scalar is
//! copied: both kernels read through pointer arrays.

use crate::curve::Curve;
use crate::fr::FR_BYTES;
use crate::scalars::{Scalars, Val};
use rayon::prelude::*;

const NBITS: usize = 255;
const SPLIT: usize = 1 << 14;

struct Split {
    /// First scalar at or above 2^255 (never canonical: Pippenger reads 255 bits).
    bad: Option<usize>,
    ones: Vec<usize>,
    other_points: Vec<usize>,
    other_scalars: Vec<usize>,
}

/// The number of scalars (their form checked whole where they were taken), with a density map one byte each.
pub fn scalar_count(scalars: &Scalars, density: Option<&[u8]>) -> Result<usize, String> {
    let n = scalars.len();
    if let Some(d) = density {
        if d.len() != n {
            return Err(format!(
                "msm: density map has {} entries for {n} scalars",
                d.len()
            ));
        }
    }
    Ok(n)
}

/// sum scalars[i] * bases[start + k(i)] (see the Backend interface for k and the density map).
pub fn msm<C: Curve>(
    bases: &[C::Affine],
    start: usize,
    scalars: &Scalars,
    density: Option<&[u8]>,
) -> Result<C::Proj, String> {
    let n = scalar_count(scalars, density)?;
    // base offset of each block of SPLIT scalars
    let nblocks = n.div_ceil(SPLIT);
    let counts: Vec<usize> = match density {
        None => (0..nblocks).map(|b| SPLIT.min(n - b * SPLIT)).collect(),
        Some(d) => d
            .par_chunks(SPLIT)
            .map(|c| c.iter().filter(|&&x| x != 0).count())
            .collect(),
    };
    let mut offsets = Vec::with_capacity(nblocks);
    let mut total = 0usize;
    for c in &counts {
        offsets.push(total);
        total += c;
    }
    if total > 0 && (start > bases.len() || total > bases.len() - start) {
        return Err(format!(
            "msm: needs bases [{start}, {}) but the table holds {}",
            start + total,
            bases.len()
        ));
    }
    let base_ptr = bases.as_ptr() as usize;
    let asz = std::mem::size_of::<C::Affine>();

    let parts: Vec<Split> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let lo = b * SPLIT;
            let hi = (lo + SPLIT).min(n);
            let first = start + offsets[b];
            let mut sp = Split {
                bad: None,
                ones: Vec::new(),
                other_points: Vec::new(),
                other_scalars: Vec::new(),
            };
            scalars.nonzero(lo, hi, density, |i, k, v| {
                let base = base_ptr + (first + k) * asz;
                match v {
                    Val::Bit(_) => sp.ones.push(base),
                    Val::Other(s) => {
                        if s[FR_BYTES - 1] & 0x80 != 0 && sp.bad.is_none() {
                            sp.bad = Some(i);
                        }
                        sp.other_points.push(base);
                        sp.other_scalars.push(s.as_ptr() as usize);
                    }
                }
            });
            sp
        })
        .collect();

    if let Some(i) = parts.iter().find_map(|p| p.bad) {
        return Err(format!("msm: scalar {i} is not reduced modulo r"));
    }
    let ones: Vec<usize> = parts.iter().flat_map(|p| p.ones.iter().copied()).collect();
    let mut op: Vec<usize> = Vec::with_capacity(parts.iter().map(|p| p.other_points.len()).sum());
    let mut os: Vec<usize> = Vec::with_capacity(op.capacity());
    for p in &parts {
        op.extend_from_slice(&p.other_points);
        os.extend_from_slice(&p.other_scalars);
    }
    drop(parts);

    let (a, b) = rayon::join(|| sum_ones::<C>(&ones), || pippenger::<C>(&op, &os));
    Ok(C::add(&a, &b))
}

/// Sum of the points at the given addresses.
fn sum_ones<C: Curve>(ptrs: &[usize]) -> C::Proj {
    if ptrs.is_empty() {
        return C::Proj::default();
    }
    let threads = rayon::current_num_threads().max(1);
    let chunk = ptrs.len().div_ceil(threads * 4).max(1 << 10);
    ptrs.par_chunks(chunk)
        .map(|c| unsafe {
            // usize and *const T have one layout
            let p = std::slice::from_raw_parts(c.as_ptr() as *const *const C::Affine, c.len());
            C::sum_affines(p)
        })
        .reduce(C::Proj::default, |x, y| C::add(&x, &y))
}

fn num_bits(l: usize) -> usize {
    (usize::BITS - l.leading_zeros()) as usize
}

/// blst's window choice (multi_scalar.c).
fn window_size(npoints: usize) -> usize {
    let w = num_bits(npoints).saturating_sub(1);
    if w > 12 {
        w - 3
    } else if w > 8 {
        w - 2
    } else if w > 4 {
        w - 1
    } else if w > 0 {
        2
    } else {
        1
    }
}

/// The blst crate's tiling (pippenger.rs): nx column ranges by ny bit windows.
fn breakdown(nbits: usize, window: usize, ncpus: usize) -> (usize, usize, usize) {
    let mut nx = 1usize;
    let mut wnd;
    if nbits > window * ncpus {
        wnd = num_bits(ncpus / 4);
        if (window + wnd) > 18 {
            wnd = window - wnd;
        } else {
            wnd = (nbits / window).div_ceil(ncpus);
            if (nbits / (window + 1)).div_ceil(ncpus) < wnd {
                wnd = window + 1;
            } else {
                wnd = window;
            }
        }
    } else if window > 3 {
        nx = 2;
        wnd = window - 2;
        while wnd > 1 && (nbits / wnd + 1) * nx < ncpus {
            nx += 1;
            wnd = window - num_bits(3 * nx / 2);
        }
        nx -= 1;
        wnd = window - num_bits(3 * nx / 2);
    } else {
        wnd = window;
    }
    let ny = nbits / wnd + 1;
    wnd = nbits / ny + 1;
    (nx, ny, wnd)
}

/// Whose Pippenger sums the general scalars: C2_NATIVE_MSM=own (pippenger.rs) or =blst, and by default
/// ours where it measured faster (2 cores: G1 9-28% from 2^14 to 2^22, G2 10-16%) and can use every
/// thread: it runs a window per thread, where blst's tiles also split the points, so past one thread a
/// window blst's keeps the cores busy.
#[derive(PartialEq)]
enum Pippenger {
    Own,
    Blst,
}

fn pippenger_for(n: usize, threads: usize) -> Pippenger {
    match std::env::var("C2_NATIVE_MSM").as_deref() {
        Ok("own") => Pippenger::Own,
        Ok("blst") => Pippenger::Blst,
        _ if n >= 1 << 12 && threads <= crate::pippenger::windows(n) => Pippenger::Own,
        _ => Pippenger::Blst,
    }
}

/// sum of scalar * point over pointer arrays (addresses as usize).
fn pippenger<C: Curve>(points: &[usize], scalars: &[usize]) -> C::Proj {
    let n = points.len();
    if n == 0 {
        return C::Proj::default();
    }
    if n < 32 {
        return points
            .par_iter()
            .zip(scalars.par_iter())
            .map(|(&p, &s)| unsafe {
                let p = C::from_affine(&*(p as *const C::Affine));
                let s = std::slice::from_raw_parts(s as *const u8, FR_BYTES);
                C::mult(&p, s, NBITS)
            })
            .reduce(C::Proj::default, |x, y| C::add(&x, &y));
    }
    let ncpus = rayon::current_num_threads().max(1);
    if pippenger_for(n, ncpus) == Pippenger::Own {
        return crate::pippenger::msm::<C>(points, scalars);
    }
    let (nx, ny, window) = breakdown(NBITS, window_size(n), ncpus);
    let dx = n / nx;
    // tiles: (x, len, bit0)
    let mut tiles = Vec::with_capacity(nx * ny);
    for row in 0..ny {
        let y = row * window;
        for col in 0..nx {
            let x = col * dx;
            let len = if col == nx - 1 { n - x } else { dx };
            tiles.push((x, len, y));
        }
    }
    let words = (C::bucket_bytes() << (window - 1)).div_ceil(8);
    let sums: Vec<C::Proj> = tiles
        .par_iter()
        .map_init(
            || vec![0u64; words],
            |scratch, &(x, len, y)| unsafe {
                let pp = points.as_ptr().add(x) as *const *const C::Affine;
                let ss = scalars.as_ptr().add(x) as *const *const u8;
                // the tile kernel prefetches one ahead: it needs at least two points
                debug_assert!(len >= 2);
                C::tile(pp, len, ss, NBITS, scratch.as_mut_ptr(), y, window)
            },
        )
        .collect();
    // Horner over rows from the top: ret = ret * 2^window + row sum
    let mut ret = C::Proj::default();
    for row in (0..ny).rev() {
        if row != ny - 1 {
            for _ in 0..window {
                ret = C::double(&ret);
            }
        }
        for col in 0..nx {
            ret = C::add(&ret, &sums[row * nx + col]);
        }
    }
    ret
}
