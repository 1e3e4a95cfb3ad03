//! Groth16 verification on blst: e(A, B) = e(alpha, beta) · e(IC(inputs), gamma) · e(C, delta), as one
//! product of Miller loops and one final exponentiation. The prover checks every partition's proof before
//! it hands it out; in TypeScript a 32GiB partition's check (327 public inputs) took ~0.3 s of the event
//! loop, here a few milliseconds. Public inputs are public: variable-time arithmetic is fine.

use crate::curve::{checked_point as point, Curve, G1, G2};
use crate::fr::{first_non_canonical, FR_BYTES};
use blst::*;

/// The significant bits of a little-endian scalar: a small public input costs a few doublings.
fn bits(scalar: &[u8]) -> usize {
    match scalar.iter().rposition(|&b| b != 0) {
        Some(i) => 8 * i + 8 - scalar[i].leading_zeros() as usize,
        None => 0,
    }
}

/// A verifying key decoded and checked once (its points on the curve and in their subgroups), then used for
/// every proof of its circuit: the checks are most of a 32GiB proof's verification otherwise.
pub struct Prepared {
    alpha: blst_p1_affine,
    beta: blst_p2_affine,
    gamma: blst_p2_affine,
    delta: blst_p2_affine,
    ic: Vec<blst_p1_affine>,
}

impl Prepared {
    /// The key as bellperson writes it (a `.vk` file): alpha and beta in G1, beta, gamma in G2, delta in
    /// G1 and G2, the IC count (u32, big-endian), the IC points in G1, all uncompressed. The G1 beta and
    /// delta take no part in verification.
    pub fn new(vk: &[u8]) -> Result<Self, String> {
        let (g1, g2) = (G1::BYTES, G2::BYTES);
        let fixed = 3 * g1 + 3 * g2 + 4;
        let at = |k1: usize, k2: usize| k1 * g1 + k2 * g2;
        let count = match vk.get(fixed - 4..fixed) {
            Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
            None => return Err(format!("Groth16Key: a verifying key of {} bytes", vk.len())),
        };
        if count == 0 || vk.len() != fixed + count * g1 {
            return Err(format!(
                "Groth16Key: a verifying key of {} bytes with {count} IC points",
                vk.len()
            ));
        }
        let ic = vk[fixed..]
            .chunks_exact(g1)
            .map(|p| point::<G1>(p, "Groth16Key: an IC point"))
            .collect::<Result<_, _>>()?;
        Ok(Prepared {
            alpha: point::<G1>(&vk[..g1], "Groth16Key: alpha")?,
            beta: point::<G2>(&vk[at(2, 0)..at(2, 1)], "Groth16Key: beta")?,
            gamma: point::<G2>(&vk[at(2, 1)..at(2, 2)], "Groth16Key: gamma")?,
            delta: point::<G2>(&vk[at(3, 2)..at(3, 3)], "Groth16Key: delta")?,
            ic,
        })
    }

    /// Whether the proof (A in G1, B in G2, C in G1, uncompressed) verifies for the public inputs (32 bytes
    /// little-endian each, canonical; without the constant ONE).
    pub fn verify(&self, proof: &[u8], inputs: &[u8]) -> Result<bool, String> {
        let (g1, g2) = (G1::BYTES, G2::BYTES);
        if inputs.len() % FR_BYTES != 0 {
            return Err(format!("verify: {} bytes of public inputs", inputs.len()));
        }
        let n = inputs.len() / FR_BYTES;
        if self.ic.len() != n + 1 {
            return Err(format!(
                "verify: the key takes {} public inputs, got {n}",
                self.ic.len() - 1
            ));
        }
        if let Some(i) = first_non_canonical(inputs) {
            return Err(format!("verify: public input {i} is not reduced modulo r"));
        }
        if proof.len() != 2 * g1 + g2 {
            return Err(format!("verify: a proof of {} bytes", proof.len()));
        }
        let a = point::<G1>(&proof[..g1], "verify: proof A")?;
        let b = point::<G2>(&proof[g1..g1 + g2], "verify: proof B")?;
        let c = point::<G1>(&proof[g1 + g2..], "verify: proof C")?;

        let mut acc = G1::from_affine(&self.ic[0]);
        for (s, p) in inputs.chunks_exact(FR_BYTES).zip(&self.ic[1..]) {
            let nbits = bits(s);
            if nbits > 0 {
                acc = G1::add(&acc, &G1::mult(&G1::from_affine(p), s, nbits));
            }
        }
        let acc = G1::to_affine(&acc);

        // a pair with the identity on either side contributes 1
        let pairs = [
            (a, b),
            (G1::neg_affine(&self.alpha), self.beta),
            (G1::neg_affine(&acc), self.gamma),
            (G1::neg_affine(&c), self.delta),
        ];
        let mut product: Option<blst_fp12> = None;
        for (p, q) in pairs.iter() {
            if G1::is_inf_affine(p) || G2::is_inf_affine(q) {
                continue;
            }
            let mut ml = blst_fp12::default();
            unsafe { blst_miller_loop(&mut ml, q, p) };
            product = Some(match product {
                None => ml,
                Some(prev) => {
                    let mut m = blst_fp12::default();
                    unsafe { blst_fp12_mul(&mut m, &prev, &ml) };
                    m
                }
            });
        }
        let Some(product) = product else {
            return Ok(true);
        };
        let mut out = blst_fp12::default();
        unsafe { blst_final_exp(&mut out, &product) };
        Ok(unsafe { blst_fp12_is_one(&out) })
    }
}
