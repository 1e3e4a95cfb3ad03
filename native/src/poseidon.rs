//! Poseidon's optimized permutation (neptune's, as src/shared/poseidon.ts walks it) on blst's Fr, for
//! synthesis: the witness of a Poseidon gadget is every value the circuit allocates, in order, and in JS
//! BigInts it was a third of a partition's witness synthesis. The constants come from JS (derived there
//! once per arity), so this file holds the rounds only.

use crate::fr::{self, FR_BYTES};
use blst::*;

pub struct Constants {
    width: usize,
    half_full: usize,
    partial: usize,
    domain_tag: blst_fr,
    /// compressed round constants, in the order the rounds take them
    crc: Vec<blst_fr>,
    /// m[i][j] at i * width + j
    mds: Vec<blst_fr>,
    pre_sparse: Vec<blst_fr>,
    /// per partial round: w_hat (width), then v_rest (width - 1)
    sparse: Vec<blst_fr>,
}

#[inline]
fn sq(a: &blst_fr) -> blst_fr {
    let mut r = blst_fr::default();
    unsafe { blst_fr_sqr(&mut r, a) };
    r
}

impl Constants {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        width: usize,
        half_full: usize,
        partial: usize,
        domain_tag: &[u8],
        crc: &[u8],
        mds: &[u8],
        pre_sparse: &[u8],
        sparse: &[u8],
    ) -> Result<Self, String> {
        let c = Constants {
            width,
            half_full,
            partial,
            domain_tag: fr::scalar_arg(domain_tag, "domain tag")?,
            crc: fr::frs_from_bytes(crc, "round constants")?,
            mds: fr::frs_from_bytes(mds, "MDS matrix")?,
            pre_sparse: fr::frs_from_bytes(pre_sparse, "pre-sparse matrix")?,
            sparse: fr::frs_from_bytes(sparse, "sparse matrices")?,
        };
        let w = width;
        let rounds = 2 * half_full + partial;
        // the first round takes two sets, the terminal one none
        let crc_len = 2 * w + (half_full - 1) * w + partial + (half_full - 1) * w;
        if w < 2 || half_full < 1 || c.crc.len() != crc_len {
            return Err(format!(
                "round constants: {} for width {w}, {rounds} rounds",
                c.crc.len()
            ));
        }
        if c.mds.len() != w * w || c.pre_sparse.len() != w * w {
            return Err(format!("matrices: not {w} x {w}"));
        }
        if c.sparse.len() != partial * (2 * w - 1) {
            return Err(format!(
                "sparse matrices: {} scalars for {partial} partial rounds",
                c.sparse.len()
            ));
        }
        Ok(c)
    }

    pub fn arity(&self) -> usize {
        self.width - 1
    }

    /// Values the circuit allocates per hash (the preimage is the caller's): as `permute` records them.
    pub fn allocations(&self) -> usize {
        let w = self.width;
        3 * (w - 1) + 4 * w * (self.half_full - 1) + 4 * self.partial + 4 * w * self.half_full + 1
    }

    // The field operations write through out-pointers: results returned by value were copied out of
    // stack temporaries while blst's stores were in flight (store-forwarding stalls, as in pippenger.rs).

    fn dense(state: &mut [blst_fr], m: &[blst_fr], scratch: &mut [blst_fr]) {
        let w = state.len();
        let mut t = blst_fr::default();
        for j in 0..w {
            let s = &mut scratch[j];
            unsafe { blst_fr_mul(s, &state[0], &m[j]) };
            for i in 1..w {
                unsafe {
                    blst_fr_mul(&mut t, &state[i], &m[i * w + j]);
                    blst_fr_add(s, s, &t);
                }
            }
        }
        state.copy_from_slice(&scratch[..w]);
    }

    fn sparse(state: &mut [blst_fr], m: &[blst_fr]) {
        let w = state.len();
        let (w_hat, v_rest) = m.split_at(w);
        let mut s = blst_fr::default();
        let mut t = blst_fr::default();
        unsafe { blst_fr_mul(&mut s, &state[0], &w_hat[0]) };
        for i in 1..w {
            unsafe {
                blst_fr_mul(&mut t, &state[i], &w_hat[i]);
                blst_fr_add(&mut s, &s, &t);
            }
        }
        let s0 = state[0];
        for j in 1..w {
            unsafe {
                blst_fr_mul(&mut t, &s0, &v_rest[j - 1]);
                blst_fr_add(&mut state[j], &state[j], &t);
            }
        }
        state[0] = s;
    }

    /// The permutation of [domain tag, ...inputs]; returns state[1]. With `aux`, every value the circuit
    /// allocates is written there in allocation order (the last is the result), canonical, 32 bytes LE each.
    pub fn permute(&self, inputs: &[blst_fr], mut aux: Option<&mut [u8]>) -> blst_fr {
        let mut at = 0;
        // straight from Montgomery form into the output: blst_scalar is the 32 LE bytes (no copy after)
        let mut record = |v: &blst_fr| {
            if let Some(out) = aux.as_deref_mut() {
                let o = &mut out[at..at + FR_BYTES];
                unsafe { blst_scalar_from_fr(o.as_mut_ptr() as *mut blst_scalar, v) };
                at += FR_BYTES;
            }
        };
        let w = self.width;
        let mut state = vec![blst_fr::default(); w];
        let mut scratch = vec![blst_fr::default(); w];
        let state = &mut state[..];
        state[0] = self.domain_tag;
        state[1..].copy_from_slice(inputs);
        let crc = &self.crc;
        let sparse_offset = self.half_full - 1;
        let mut round = 0;
        let mut mds = |state: &mut [blst_fr]| {
            if round == sparse_offset {
                Self::dense(state, &self.pre_sparse, &mut scratch);
            } else if round > sparse_offset && round < self.half_full + self.partial {
                let k = round - sparse_offset - 1;
                Self::sparse(state, &self.sparse[k * (2 * w - 1)..(k + 1) * (2 * w - 1)]);
            } else {
                Self::dense(state, &self.mds, &mut scratch);
            }
            round += 1;
        };
        // quintic_s_box: l (when the circuit allocates it), l^2, l^4, l^5 + post
        let mut sbox = |x: &mut blst_fr, post: Option<&blst_fr>, alloc_l: bool| {
            let mut l2 = blst_fr::default();
            let mut l4 = blst_fr::default();
            if alloc_l {
                record(x);
            }
            unsafe {
                blst_fr_sqr(&mut l2, x);
                blst_fr_sqr(&mut l4, &l2);
                blst_fr_mul(x, &l4, x);
                if let Some(p) = post {
                    blst_fr_add(x, x, p);
                }
            }
            record(&l2);
            record(&l4);
            record(x);
        };
        // first round: constants before and after the S-box; the tag's S-box is a constant's
        for i in 0..w {
            state[i] = fr::add(&state[i], &crc[i]);
        }
        let x4 = sq(&sq(&state[0]));
        state[0] = fr::add(&fr::mul(&x4, &state[0]), &crc[w]);
        for i in 1..w {
            sbox(&mut state[i], Some(&crc[w + i]), false);
        }
        let mut off = 2 * w;
        mds(state);
        for _ in 1..self.half_full {
            for i in 0..w {
                sbox(&mut state[i], Some(&crc[off + i]), true);
            }
            off += w;
            mds(state);
        }
        for _ in 0..self.partial {
            sbox(&mut state[0], Some(&crc[off]), true);
            off += 1;
            mds(state);
        }
        for _ in 0..self.half_full - 1 {
            for i in 0..w {
                sbox(&mut state[i], Some(&crc[off + i]), true);
            }
            off += w;
            mds(state);
        }
        for s in state.iter_mut() {
            sbox(s, None, true);
        }
        mds(state);
        record(&state[1]);
        state[1]
    }

    /// Hashes `inputs` (arity scalars, 32 bytes LE each) into `out`: the result alone (32 bytes) or every
    /// value the circuit allocates (`allocations()` scalars).
    pub fn hash_into(&self, inputs: &[u8], out: &mut [u8]) -> Result<(), String> {
        let arity = self.arity();
        if inputs.len() != arity * FR_BYTES {
            return Err(format!(
                "poseidon of arity {arity} given {} bytes of inputs",
                inputs.len()
            ));
        }
        let x = inputs
            .chunks_exact(FR_BYTES)
            .enumerate()
            .map(|(i, s)| {
                fr::fr_from_le(s)
                    .ok_or_else(|| format!("poseidon input {i} is not reduced modulo r"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = self.allocations();
        if out.len() == FR_BYTES {
            fr::fr_to_le(&self.permute(&x, None), out);
        } else if out.len() == n * FR_BYTES {
            self.permute(&x, Some(out));
        } else {
            return Err(format!(
                "poseidon output: {} bytes, neither the hash (32) nor its {n} allocations",
                out.len()
            ));
        }
        Ok(())
    }
}
