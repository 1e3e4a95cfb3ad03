//! The sums the WebGPU kernels leave, combined on the host with blst. The kernels hold homogeneous
//! projective points (x = X/Z, y = Y/Z), each Fq 12 little-endian u32 words in Montgomery form, so a
//! point is blst's Jacobian (X·Z : Y·Z² : Z) after two field products; the Fq words are blst's limbs.

use crate::curve::Curve;

const FQ_BYTES: usize = 48;

fn point<C: Curve>(bytes: &[u8]) -> C::Proj {
    let coord = C::COORD_FQ * FQ_BYTES;
    let x = C::f_from_mont_le(&bytes[..coord]);
    let y = C::f_from_mont_le(&bytes[coord..2 * coord]);
    let z = C::f_from_mont_le(&bytes[2 * coord..3 * coord]);
    let (mut xz, mut z2, mut yz2) = Default::default();
    unsafe {
        C::f_mul(&mut xz, &x, &z);
        C::f_sqr(&mut z2, &z);
        C::f_mul(&mut yz2, &y, &z2);
    }
    C::from_jacobian(xz, yz2, z)
}

/// sum over i of 2^exps[i] · P_i, the P_i homogeneous points in the kernels' layout: a window sum at
/// exponent w·c is Pippenger's Horner step, exponent 0 a plain sum. One doubling per exponent step, so
/// a few hundred points and exponents up to 256 cost well under a millisecond. The result is uncompressed
/// and checked on the curve and in the subgroup: a device that computed wrong values is an error here,
/// not a wrong proof later.
pub fn sum_pow2<C: Curve>(bytes: &[u8], exps: &[u32]) -> Result<Vec<u8>, String> {
    let size = 3 * C::COORD_FQ * FQ_BYTES;
    if bytes.len() != size * exps.len() {
        return Err(format!(
            "sumPow2: {} bytes for {} {} points of {size} bytes",
            bytes.len(),
            exps.len(),
            C::NAME
        ));
    }
    let mut order: Vec<usize> = (0..exps.len()).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(exps[i]));
    let mut acc = C::Proj::default();
    let mut at = order.first().map_or(0, |&i| exps[i]);
    for i in order {
        for _ in exps[i]..at {
            acc = C::double(&acc);
        }
        at = exps[i];
        acc = C::add(&acc, &point::<C>(&bytes[i * size..(i + 1) * size]));
    }
    for _ in 0..at {
        acc = C::double(&acc);
    }
    let out = C::proj_to_bytes(&acc);
    let valid = C::deserialize(&out).is_ok_and(|a| C::in_group(&a));
    if !valid {
        return Err(format!(
            "sumPow2: the {} sum is not a point of the prime-order group: the device computed wrong values",
            C::NAME
        ));
    }
    Ok(out)
}
