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

fn decode(b: &[u8], what: &str) -> Result<Vec<blst_fr>, String> {
    if b.len() % FR_BYTES != 0 {
        return Err(format!("{what}: {} bytes is not a whole number of scalars", b.len()));
    }
    b.chunks_exact(FR_BYTES)
        .enumerate()
        .map(|(i, s)| fr::fr_from_le(s).ok_or_else(|| format!("{what}: scalar {i} is not reduced modulo r")))
        .collect()
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
            domain_tag: *decode(domain_tag, "domain tag")?.first().ok_or("domain tag: empty")?,
            crc: decode(crc, "round constants")?,
            mds: decode(mds, "MDS matrix")?,
            pre_sparse: decode(pre_sparse, "pre-sparse matrix")?,
            sparse: decode(sparse, "sparse matrices")?,
        };
        let w = width;
        let rounds = 2 * half_full + partial;
        // the first round takes two sets, the terminal one none
        let crc_len = 2 * w + (half_full - 1) * w + partial + (half_full - 1) * w;
        if w < 2 || half_full < 1 || c.crc.len() != crc_len {
            return Err(format!("round constants: {} for width {w}, {rounds} rounds", c.crc.len()));
        }
        if c.mds.len() != w * w || c.pre_sparse.len() != w * w {
            return Err(format!("matrices: not {w} x {w}"));
        }
        if c.sparse.len() != partial * (2 * w - 1) {
            return Err(format!("sparse matrices: {} scalars for {partial} partial rounds", c.sparse.len()));
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

    fn dense(state: &mut [blst_fr], m: &[blst_fr], scratch: &mut [blst_fr]) {
        let w = state.len();
        for j in 0..w {
            let mut s = blst_fr::default();
            for i in 0..w {
                s = fr::add(&s, &fr::mul(&state[i], &m[i * w + j]));
            }
            scratch[j] = s;
        }
        state.copy_from_slice(&scratch[..w]);
    }

    fn sparse(state: &mut [blst_fr], m: &[blst_fr]) {
        let w = state.len();
        let (w_hat, v_rest) = m.split_at(w);
        let mut s = blst_fr::default();
        for i in 0..w {
            s = fr::add(&s, &fr::mul(&state[i], &w_hat[i]));
        }
        let s0 = state[0];
        for j in 1..w {
            state[j] = fr::add(&state[j], &fr::mul(&s0, &v_rest[j - 1]));
        }
        state[0] = s;
    }

    /// The permutation of [domain tag, ...inputs]; returns state[1]. With `aux`, every value the circuit
    /// allocates is pushed, in allocation order (the last is the result).
    pub fn permute(&self, inputs: &[blst_fr], mut aux: Option<&mut Vec<blst_fr>>) -> blst_fr {
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
        let mut sbox = |l: &blst_fr, post: Option<&blst_fr>, alloc_l: bool| -> blst_fr {
            let l2 = sq(l);
            let l4 = sq(&l2);
            let mut l5 = fr::mul(&l4, l);
            if let Some(p) = post {
                l5 = fr::add(&l5, p);
            }
            if let Some(aux) = aux.as_deref_mut() {
                if alloc_l {
                    aux.push(*l);
                }
                aux.extend_from_slice(&[l2, l4, l5]);
            }
            l5
        };
        // first round: constants before and after the S-box; the tag's S-box is a constant's
        for i in 0..w {
            state[i] = fr::add(&state[i], &crc[i]);
        }
        let x4 = sq(&sq(&state[0]));
        state[0] = fr::add(&fr::mul(&x4, &state[0]), &crc[w]);
        for i in 1..w {
            state[i] = sbox(&state[i], Some(&crc[w + i]), false);
        }
        let mut off = 2 * w;
        mds(state);
        for _ in 1..self.half_full {
            for i in 0..w {
                state[i] = sbox(&state[i], Some(&crc[off + i]), true);
            }
            off += w;
            mds(state);
        }
        for _ in 0..self.partial {
            state[0] = sbox(&state[0], Some(&crc[off]), true);
            off += 1;
            mds(state);
        }
        for _ in 0..self.half_full - 1 {
            for i in 0..w {
                state[i] = sbox(&state[i], Some(&crc[off + i]), true);
            }
            off += w;
            mds(state);
        }
        for s in state.iter_mut() {
            *s = sbox(s, None, true);
        }
        mds(state);
        if let Some(aux) = aux {
            aux.push(state[1]);
        }
        state[1]
    }

    /// Hashes `inputs` (arity scalars, 32 bytes LE each) into `out`: the result alone (32 bytes) or every
    /// value the circuit allocates (`allocations()` scalars).
    pub fn hash_into(&self, inputs: &[u8], out: &mut [u8]) -> Result<(), String> {
        let arity = self.arity();
        if inputs.len() != arity * FR_BYTES {
            return Err(format!("poseidon of arity {arity} given {} bytes of inputs", inputs.len()));
        }
        let x = inputs
            .chunks_exact(FR_BYTES)
            .enumerate()
            .map(|(i, s)| fr::fr_from_le(s).ok_or_else(|| format!("poseidon input {i} is not reduced modulo r")))
            .collect::<Result<Vec<_>, _>>()?;
        let n = self.allocations();
        if out.len() == FR_BYTES {
            fr::fr_to_le(&self.permute(&x, None), out);
        } else if out.len() == n * FR_BYTES {
            let mut aux = Vec::with_capacity(n);
            self.permute(&x, Some(&mut aux));
            for (v, o) in aux.iter().zip(out.chunks_exact_mut(FR_BYTES)) {
                fr::fr_to_le(v, o);
            }
        } else {
            return Err(format!(
                "poseidon output: {} bytes, neither the hash (32) nor its {n} allocations",
                out.len()
            ));
        }
        Ok(())
    }
}
