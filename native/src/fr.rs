//! Fr helpers on blst's field functions: conversions between the 32-byte little-endian canonical
//! encoding and blst_fr (Montgomery form), exponentiation by square-and-multiply, and parallel
//! vector conversions.

use blst::*;
use rayon::prelude::*;

pub const FR_BYTES: usize = 32;
/// Elements per rayon work item in elementwise loops.
pub const CHUNK: usize = 1 << 12;

#[inline]
pub fn fr_from_u64(v: u64) -> blst_fr {
    let limbs = [v, 0, 0, 0];
    let mut f = blst_fr::default();
    unsafe { blst_fr_from_uint64(&mut f, limbs.as_ptr()) };
    f
}

#[inline]
pub fn fr_one() -> blst_fr {
    fr_from_u64(1)
}

/// The modulus r, little-endian limbs: a scalar is canonical iff it is below.
pub const R: [u64; 4] = [
    0xffff_ffff_0000_0001,
    0x53bd_a402_fffe_5bfe,
    0x3339_d808_09a1_d805,
    0x73ed_a753_299d_7d48,
];

/// Whether little-endian limbs are below r, comparing from the top limb.
#[inline]
pub fn below_r(l: &[u64; 4]) -> bool {
    l.iter().rev().cmp(R.iter().rev()) == std::cmp::Ordering::Less
}

/// The first scalar of a vector that is not below r, looked for on every core.
pub fn first_non_canonical(b: &[u8]) -> Option<usize> {
    b.par_chunks(CHUNK * FR_BYTES)
        .enumerate()
        .filter_map(|(ci, chunk)| {
            chunk
                .chunks_exact(FR_BYTES)
                .position(|s| {
                    let limb =
                        |k: usize| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap());
                    !below_r(&[limb(0), limb(1), limb(2), limb(3)])
                })
                .map(|i| ci * CHUNK + i)
        })
        .min()
}

/// Decodes a canonical scalar; None if it is not below r.
#[inline]
pub fn fr_from_le(b: &[u8]) -> Option<blst_fr> {
    let mut s = blst_scalar::default();
    let mut f = blst_fr::default();
    unsafe {
        blst_scalar_from_lendian(&mut s, b.as_ptr());
        if !blst_scalar_fr_check(&s) {
            return None;
        }
        blst_fr_from_scalar(&mut f, &s);
    }
    Some(f)
}

#[inline]
pub fn fr_to_le(f: &blst_fr, out: &mut [u8]) {
    assert!(out.len() >= FR_BYTES);
    let mut s = blst_scalar::default();
    unsafe {
        blst_scalar_from_fr(&mut s, f);
        blst_lendian_from_scalar(out.as_mut_ptr(), &s);
    }
}

#[inline]
pub fn mul(a: &blst_fr, b: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_mul(&mut r, a, b) };
    r
}

#[inline]
pub fn mul_assign(a: &mut blst_fr, b: &blst_fr) {
    unsafe { blst_fr_mul(a, a, b) };
}

#[inline]
pub fn add(a: &blst_fr, b: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_add(&mut r, a, b) };
    r
}

#[inline]
pub fn sub(a: &blst_fr, b: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_sub(&mut r, a, b) };
    r
}

#[inline]
pub fn neg(a: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_cneg(&mut r, a, true) };
    r
}

/// a^-1; zero maps to zero.
pub fn inverse(a: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_eucl_inverse(&mut r, a) };
    r
}

/// base^exp for a little-endian multi-limb exponent.
pub fn pow_limbs(base: &blst_fr, exp: &[u64]) -> blst_fr {
    let mut r = fr_one();
    for limb in exp.iter().rev() {
        for bit in (0..64).rev() {
            unsafe { blst_fr_sqr(&mut r, &r) };
            if (limb >> bit) & 1 == 1 {
                mul_assign(&mut r, base);
            }
        }
    }
    r
}

#[inline]
pub fn pow(base: &blst_fr, exp: u64) -> blst_fr {
    pow_limbs(base, &[exp])
}

/// One scalar argument: exactly 32 bytes, canonical.
pub fn scalar_arg(b: &[u8], what: &str) -> Result<blst_fr, String> {
    if b.len() != FR_BYTES {
        return Err(format!(
            "{what}: expected {FR_BYTES} bytes, got {}",
            b.len()
        ));
    }
    fr_from_le(b).ok_or_else(|| format!("{what}: scalar is not reduced modulo r"))
}

/// A whole FrVector, decoded in parallel; names the first non-canonical element.
pub fn frs_from_bytes(b: &[u8], what: &str) -> Result<Vec<blst_fr>, String> {
    if b.len() % FR_BYTES != 0 {
        return Err(format!(
            "{what}: byte length {} is not a multiple of {FR_BYTES}",
            b.len()
        ));
    }
    let n = b.len() / FR_BYTES;
    let mut out = vec![blst_fr::default(); n];
    let bad = out
        .par_chunks_mut(CHUNK)
        .zip(b.par_chunks(CHUNK * FR_BYTES))
        .enumerate()
        .filter_map(|(ci, (o, bytes))| {
            for (i, (dst, src)) in o.iter_mut().zip(bytes.chunks_exact(FR_BYTES)).enumerate() {
                match fr_from_le(src) {
                    Some(f) => *dst = f,
                    None => return Some(ci * CHUNK + i),
                }
            }
            None
        })
        .min();
    match bad {
        Some(i) => Err(format!("{what}: scalar {i} is not reduced modulo r")),
        None => Ok(out),
    }
}

/// Decodes into a zero-padded vector of `len` >= n elements.
pub fn frs_from_bytes_padded(b: &[u8], len: usize, what: &str) -> Result<Vec<blst_fr>, String> {
    let mut v = frs_from_bytes(b, what)?;
    v.resize(len, blst_fr::default());
    Ok(v)
}

pub fn frs_to_bytes(v: &[blst_fr]) -> Vec<u8> {
    let mut out = vec![0u8; v.len() * FR_BYTES];
    out.par_chunks_mut(CHUNK * FR_BYTES)
        .zip(v.par_chunks(CHUNK))
        .for_each(|(o, src)| {
            for (dst, f) in o.chunks_exact_mut(FR_BYTES).zip(src) {
                fr_to_le(f, dst);
            }
        });
    out
}

/// [scale * base^i for i < n], in parallel.
pub fn powers(base: &blst_fr, n: usize, scale: &blst_fr) -> Vec<blst_fr> {
    let mut out = vec![blst_fr::default(); n];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, c)| {
        let mut u = mul(scale, &pow(base, (ci * CHUNK) as u64));
        for x in c.iter_mut() {
            *x = u;
            mul_assign(&mut u, base);
        }
    });
    out
}
