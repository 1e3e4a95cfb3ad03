//! Sparse matrix-vector products over CSR matrices whose coefficients index a small table, and the
//! elementwise helpers of parameter generation.

use crate::fr::{self, CHUNK};
use crate::scalars::{Scalars, Val};
use blst::*;
use rayon::prelude::*;

pub struct Csr<'a> {
    pub row_ptr: &'a [u32],
    pub cols: &'a [u32],
    pub coeff_ids: &'a [u32],
}

#[derive(Clone, Copy)]
enum Coeff {
    One,
    MinusOne,
    Other(blst_fr),
}

fn coeff_table(bytes: &[u8]) -> Result<Vec<Coeff>, String> {
    let one = fr::fr_one();
    let minus_one = fr::neg(&one);
    Ok(fr::frs_from_bytes(bytes, "coeffTable")?
        .into_iter()
        .map(|c| {
            if c == one {
                Coeff::One
            } else if c == minus_one {
                Coeff::MinusOne
            } else {
                Coeff::Other(c)
            }
        })
        .collect())
}

#[inline]
fn accumulate(acc: &mut blst_fr, c: &Coeff, v: &blst_fr) {
    unsafe {
        match c {
            Coeff::One => blst_fr_add(acc, acc, v),
            Coeff::MinusOne => blst_fr_sub(acc, acc, v),
            Coeff::Other(k) => {
                let mut t = blst_fr::default();
                blst_fr_mul(&mut t, k, v);
                blst_fr_add(acc, acc, &t);
            }
        }
    }
}

/// Shape checks: offsets monotone and covering the terms, every column below `num_cols`, every
/// coefficient id inside the table.
pub fn check(m: &Csr, num_cols: usize, table_len: usize) -> Result<usize, String> {
    let rows = m
        .row_ptr
        .len()
        .checked_sub(1)
        .ok_or("rowPtr must hold rows + 1 offsets")?;
    let terms = m.row_ptr[rows] as usize;
    if m.row_ptr[0] != 0 || terms > m.cols.len() || terms > m.coeff_ids.len() {
        return Err(format!(
            "rowPtr must run from 0 to at most the term count (cols {}, coeffIds {}), ends at {terms}",
            m.cols.len(),
            m.coeff_ids.len()
        ));
    }
    // rayon's find_first/position_first pay an atomic per element (most of the time of a 15M-term
    // evaluation); a vectorizable max per chunk finds whether there is a bad index, a serial scan where.
    let first_at_or_above = |v: &[u32], limit: usize| -> Option<usize> {
        let max = v
            .par_chunks(1 << 16)
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .max();
        max.filter(|&m| m as usize >= limit)?;
        v.iter().position(|&x| x as usize >= limit)
    };
    let decreasing = m.row_ptr.par_chunks(1 << 16).enumerate().any(|(ci, c)| {
        let prev = if ci == 0 {
            0
        } else {
            m.row_ptr[ci * (1 << 16) - 1]
        };
        c.iter()
            .fold((prev, false), |(p, bad), &x| (x, bad | (x < p)))
            .1
    });
    if decreasing {
        let r = (0..rows)
            .find(|&r| m.row_ptr[r] > m.row_ptr[r + 1])
            .unwrap();
        return Err(format!("rowPtr decreases at row {r}"));
    }
    if let Some(k) = first_at_or_above(&m.cols[..terms], num_cols) {
        return Err(format!("term {k} names column {} of {num_cols}", m.cols[k]));
    }
    if let Some(k) = first_at_or_above(&m.coeff_ids[..terms], table_len) {
        return Err(format!(
            "term {k} names coefficient {} of {table_len}",
            m.coeff_ids[k]
        ));
    }
    Ok(terms)
}

/// out[r] = sum_k coeff(r, k) * vec[col(r, k)].
pub fn sparse_mul(m: &Csr, table: &[u8], vec: &[u8]) -> Result<Vec<blst_fr>, String> {
    let coeffs = coeff_table(table)?;
    let v = fr::frs_from_bytes(vec, "vec")?;
    check(m, v.len(), coeffs.len())?;
    let rows = m.row_ptr.len() - 1;
    let mut out = vec![blst_fr::default(); rows];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, o)| {
        for (i, acc) in o.iter_mut().enumerate() {
            let r = ci * CHUNK + i;
            for k in m.row_ptr[r] as usize..m.row_ptr[r + 1] as usize {
                accumulate(
                    acc,
                    &coeffs[m.coeff_ids[k] as usize],
                    &v[m.cols[k] as usize],
                );
            }
        }
    });
    Ok(out)
}

/// out[c] = sum over terms in column c of coeff * vec[row], through a counting-sort transpose.
pub fn sparse_mul_transposed(
    m: &Csr,
    table: &[u8],
    vec: &[u8],
    num_cols: usize,
) -> Result<Vec<blst_fr>, String> {
    let coeffs = coeff_table(table)?;
    let v = fr::frs_from_bytes(vec, "vec")?;
    let nnz = check(m, num_cols, coeffs.len())?;
    let rows = m.row_ptr.len() - 1;
    if v.len() < rows {
        return Err(format!("vec has {} entries for {rows} rows", v.len()));
    }
    let mut col_ptr = vec![0u32; num_cols + 1];
    for &c in &m.cols[..nnz] {
        col_ptr[c as usize + 1] += 1;
    }
    for c in 0..num_cols {
        col_ptr[c + 1] += col_ptr[c];
    }
    // (row, coeff id) per term in column order
    let mut terms = vec![(0u32, 0u32); nnz];
    let mut fill = col_ptr.clone();
    for r in 0..rows {
        for k in m.row_ptr[r] as usize..m.row_ptr[r + 1] as usize {
            let c = m.cols[k] as usize;
            terms[fill[c] as usize] = (r as u32, m.coeff_ids[k]);
            fill[c] += 1;
        }
    }
    drop(fill);
    let mut out = vec![blst_fr::default(); num_cols];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, o)| {
        for (i, acc) in o.iter_mut().enumerate() {
            let c = ci * CHUNK + i;
            for &(r, id) in &terms[col_ptr[c] as usize..col_ptr[c + 1] as usize] {
                accumulate(acc, &coeffs[id as usize], &v[r as usize]);
            }
        }
    });
    Ok(out)
}

/// (a * x + b * y + z) * w elementwise.
pub fn linear_combine(
    a: &[u8],
    x: &blst_fr,
    b: &[u8],
    y: &blst_fr,
    z: &[u8],
    w: &blst_fr,
) -> Result<Vec<blst_fr>, String> {
    if a.len() != b.len() || a.len() != z.len() {
        return Err(format!(
            "linearCombine: lengths differ ({}, {}, {})",
            a.len(),
            b.len(),
            z.len()
        ));
    }
    let mut va = fr::frs_from_bytes(a, "a")?;
    let vb = fr::frs_from_bytes(b, "b")?;
    let vz = fr::frs_from_bytes(z, "z")?;
    va.par_chunks_mut(CHUNK)
        .zip(vb.par_chunks(CHUNK))
        .zip(vz.par_chunks(CHUNK))
        .for_each(|((pa, pb), pz)| {
            for i in 0..pa.len() {
                let t = fr::add(&fr::add(&fr::mul(&pa[i], x), &fr::mul(&pb[i], y)), &pz[i]);
                pa[i] = fr::mul(&t, w);
            }
        });
    Ok(va)
}

use fr::R;

#[inline]
fn limbs(b: &[u8]) -> blst_fr {
    let mut f = blst_fr::default();
    for (l, c) in f.l.iter_mut().zip(b.chunks_exact(8)) {
        *l = u64::from_le_bytes(c.try_into().unwrap());
    }
    f
}

#[inline]
fn write_limbs(f: &blst_fr, out: &mut [u8]) {
    for (c, l) in out.chunks_exact_mut(8).zip(f.l.iter()) {
        c.copy_from_slice(&l.to_le_bytes());
    }
}

/// One coefficient of an R1CS, prepared for `evaluate`. Everything there stays in canonical form:
/// modular add/sub do not care about the representation, and blst_fr_mul(v, k*R) = v * k for a
/// canonical v, so a coefficient kept in Montgomery form multiplies a witness value with no
/// conversion of the witness or of the result.
#[derive(Clone, Copy)]
struct Term {
    kind: Kind,
    /// The coefficient itself: the term's value when the variable is 1.
    canon: blst_fr,
    /// k * R mod r.
    mont: blst_fr,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Zero,
    One,
    MinusOne,
    General,
}

fn terms(bytes: &[u8], what: &str) -> Result<Vec<Term>, String> {
    let one = blst_fr { l: [1, 0, 0, 0] };
    let minus_one = blst_fr {
        l: [R[0] - 1, R[1], R[2], R[3]],
    };
    if bytes.len() % fr::FR_BYTES != 0 {
        return Err(format!("{what}: not a whole number of scalars"));
    }
    bytes
        .chunks_exact(fr::FR_BYTES)
        .enumerate()
        .map(|(i, b)| {
            let mont = fr::fr_from_le(b)
                .ok_or_else(|| format!("{what}: scalar {i} is not reduced modulo r"))?;
            let canon = limbs(b);
            let kind = match canon {
                c if c.l == [0; 4] => Kind::Zero,
                c if c == one => Kind::One,
                c if c == minus_one => Kind::MinusOne,
                _ => Kind::General,
            };
            Ok(Term { kind, canon, mont })
        })
        .collect()
}

/// Witness values classified once, so that most terms (bits, constants) never read their 32 bytes.
const ZERO: u8 = 0;
const ONE: u8 = 1;
const GENERAL: u8 = 2;

struct Witness<'a> {
    inputs: &'a [u8],
    aux: &'a Scalars<'a>,
    /// a compact aux's word ranks, for its full values
    ranks: Vec<u32>,
    class: Vec<u8>,
}

impl<'a> Witness<'a> {
    fn new(inputs: &'a [u8], aux: &'a Scalars<'a>) -> Result<Self, String> {
        if inputs.len() % fr::FR_BYTES != 0 {
            return Err("inputs: not a whole number of scalars".into());
        }
        let inputs_s = Scalars::Bytes(inputs);
        let mut class = vec![0u8; inputs_s.len() + aux.len()];
        let (ci, ca) = class.split_at_mut(inputs_s.len());
        for (what, vals, cls) in [("inputs", &inputs_s, ci), ("aux", aux, ca)] {
            let bad = cls
                .par_chunks_mut(CHUNK)
                .enumerate()
                .filter_map(|(ch, cls)| {
                    let lo = ch * CHUNK;
                    let mut bad = None;
                    // the classes start ZERO: only the non-zero values are written
                    vals.nonzero(lo, lo + cls.len(), None, |i, _, v| {
                        cls[i - lo] = match v {
                            Val::Bit(_) => ONE,
                            Val::Other(s) => {
                                if !fr::below_r(&limbs(s).l) {
                                    bad = bad.or(Some(i));
                                }
                                GENERAL
                            }
                        }
                    });
                    bad
                })
                .min();
            if let Some(i) = bad {
                return Err(format!("{what}: scalar {i} is not reduced modulo r"));
            }
        }
        let ranks = match aux {
            Scalars::Compact(c) => c.word_ranks(),
            Scalars::Bytes(_) => Vec::new(),
        };
        Ok(Witness {
            inputs,
            aux,
            ranks,
            class,
        })
    }

    /// Variable v's value; for an aux variable of a compact witness, only a general one's.
    #[inline]
    fn value(&self, v: usize) -> blst_fr {
        let ni = self.inputs.len() / fr::FR_BYTES;
        if v < ni {
            return limbs(&self.inputs[v * fr::FR_BYTES..][..fr::FR_BYTES]);
        }
        match self.aux {
            Scalars::Bytes(b) => limbs(&b[(v - ni) * fr::FR_BYTES..][..fr::FR_BYTES]),
            Scalars::Compact(c) => limbs(c.full_value(v - ni, &self.ranks)),
        }
    }
}

/// One row's sum, canonical: only a general coefficient times a general value costs a multiply.
#[inline]
fn row(m: &Csr, coeffs: &[Term], w: &Witness, r: usize) -> blst_fr {
    let mut acc = blst_fr::default();
    for k in m.row_ptr[r] as usize..m.row_ptr[r + 1] as usize {
        let col = m.cols[k] as usize;
        let t = &coeffs[m.coeff_ids[k] as usize];
        unsafe {
            match (w.class[col], t.kind) {
                (ZERO, _) | (_, Kind::Zero) => {}
                (ONE, _) => blst_fr_add(&mut acc, &acc, &t.canon),
                (_, Kind::One) => blst_fr_add(&mut acc, &acc, &w.value(col)),
                (_, Kind::MinusOne) => blst_fr_sub(&mut acc, &acc, &w.value(col)),
                _ => {
                    let mut p = blst_fr::default();
                    blst_fr_mul(&mut p, &w.value(col), &t.mont);
                    blst_fr_add(&mut acc, &acc, &p);
                }
            }
        }
    }
    acc
}

type Prepared<'a> = Vec<(&'a Csr<'a>, Vec<Term>)>;

/// The three matrices checked against a witness of `num_vars` variables and each other, their tables
/// read; returns them with the row count.
fn check_matrices<'a>(
    mats: [(&'a Csr<'a>, &[u8]); 3],
    num_vars: usize,
) -> Result<(Prepared<'a>, usize), String> {
    let rows = mats[0].0.row_ptr.len().saturating_sub(1);
    let mut prepared = Vec::with_capacity(3);
    for (name, (m, table)) in ["A", "B", "C"].iter().zip(mats) {
        let t = terms(table, &format!("{name} coeffTable"))?;
        check(m, num_vars, t.len()).map_err(|e| format!("{name}: {e}"))?;
        if m.row_ptr.len() != rows + 1 {
            return Err(format!(
                "{name} has {} rows, A has {rows}",
                m.row_ptr.len() - 1
            ));
        }
        prepared.push((m, t));
    }
    Ok((prepared, rows))
}

/// The witness classified and the three matrices checked against it; returns them with the row count.
fn prepare<'a>(
    mats: [(&'a Csr<'a>, &[u8]); 3],
    inputs: &'a [u8],
    aux: &'a Scalars<'a>,
) -> Result<(Witness<'a>, Prepared<'a>, usize), String> {
    let w = Witness::new(inputs, aux)?;
    let (prepared, rows) = check_matrices(mats, w.class.len())?;
    Ok((w, prepared, rows))
}

/// What `evaluate` and `R1csEval` check of the matrices (the tables, the matrices against a witness of
/// `num_vars` variables and each other), for an evaluation made elsewhere (the GPU's, whose witness is
/// checked as its code is made): their errors, and the constraint count.
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
pub fn check_structure(mats: [(&Csr, &[u8]); 3], num_vars: usize) -> Result<usize, String> {
    check_matrices(mats, num_vars).map(|(_, rows)| rows)
}

/// A, B, C of an R1CS on a witness (inputs then aux), as bellperson's prover lays them out: one Fr per
/// constraint, then one per input for the input constraints (A = the input, B = C = 0). `out` holds the
/// three result buffers, each (constraints + inputs) * 32 bytes; every byte of them is written.
pub fn evaluate(
    mats: [(&Csr, &[u8]); 3],
    inputs: &[u8],
    aux: &[u8],
    out: [&mut [u8]; 3],
) -> Result<(), String> {
    if aux.len() % fr::FR_BYTES != 0 {
        return Err("aux: not a whole number of scalars".into());
    }
    let aux = Scalars::Bytes(aux);
    let (w, prepared, rows) = prepare(mats, inputs, &aux)?;
    let total = (rows + inputs.len() / fr::FR_BYTES) * fr::FR_BYTES;
    if out.iter().any(|o| o.len() != total) {
        return Err(format!(
            "outputs must be (constraints + inputs) * 32 = {total} bytes"
        ));
    }
    let [oa, ob, oc] = out;
    let split = rows * fr::FR_BYTES;
    let (oa, ta) = oa.split_at_mut(split);
    let (ob, tb) = ob.split_at_mut(split);
    let (oc, tc) = oc.split_at_mut(split);
    ta.copy_from_slice(inputs);
    tb.fill(0);
    tc.fill(0);
    let step = CHUNK * fr::FR_BYTES;
    oa.par_chunks_mut(step)
        .zip(ob.par_chunks_mut(step))
        .zip(oc.par_chunks_mut(step))
        .enumerate()
        .for_each(|(ci, ((a, b), c))| {
            // the three matrices row by row: each output chunk is written once, while hot
            for (i, ((a, b), c)) in a
                .chunks_exact_mut(fr::FR_BYTES)
                .zip(b.chunks_exact_mut(fr::FR_BYTES))
                .zip(c.chunks_exact_mut(fr::FR_BYTES))
                .enumerate()
            {
                let r = ci * CHUNK + i;
                for (o, (m, t)) in [a, b, c].into_iter().zip(&prepared) {
                    write_limbs(&row(m, t, &w, r), o);
                }
            }
        });
    Ok(())
}

/// A canonical value held in blst_fr's limbs, to Montgomery form (blst_fr_from_uint64 multiplies by R).
#[inline]
fn to_mont(f: &blst_fr) -> blst_fr {
    let mut out = blst_fr::default();
    unsafe { blst_fr_from_uint64(&mut out, f.l.as_ptr()) };
    out
}

/// An R1CS and a witness, checked, whose A, B, C the quotient evaluates straight into the vectors it
/// transforms, in Montgomery form: A and B in one fused pass, C later into storage A*B has freed.
pub struct R1csEval<'a> {
    w: Witness<'a>,
    prepared: Prepared<'a>,
    rows: usize,
}

impl<'a> R1csEval<'a> {
    pub fn new(
        mats: [(&'a Csr<'a>, &[u8]); 3],
        inputs: &'a [u8],
        aux: &'a Scalars<'a>,
    ) -> Result<Self, String> {
        let (w, prepared, rows) = prepare(mats, inputs, aux)?;
        Ok(R1csEval { w, prepared, rows })
    }

    /// Constraints plus the implied input constraints.
    pub fn len(&self) -> usize {
        self.rows + self.w.inputs.len() / fr::FR_BYTES
    }

    fn check_len(&self, len: usize) -> Result<(), String> {
        if self.len() > len {
            return Err(format!(
                "{} constraints and inputs do not fit a domain of {len}",
                self.len()
            ));
        }
        Ok(())
    }

    /// A and B (input constraints: A = the input, B = 0), every element of `a` and `b` written, zero
    /// beyond len().
    pub fn fill_ab(&self, a: &mut [blst_fr], b: &mut [blst_fr]) -> Result<(), String> {
        self.check_len(a.len())?;
        self.check_len(b.len())?;
        let (rows, n) = (self.rows, self.len());
        let (ma, ta) = (self.prepared[0].0, &self.prepared[0].1);
        let (mb, tb) = (self.prepared[1].0, &self.prepared[1].1);
        a.par_chunks_mut(CHUNK)
            .zip(b.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(ci, (a, b))| {
                for (i, (a, b)) in a.iter_mut().zip(b).enumerate() {
                    let r = ci * CHUNK + i;
                    if r < rows {
                        *a = to_mont(&row(ma, ta, &self.w, r));
                        *b = to_mont(&row(mb, tb, &self.w, r));
                    } else {
                        *a = if r < n {
                            to_mont(&self.w.value(r - rows))
                        } else {
                            blst_fr::default()
                        };
                        *b = blst_fr::default();
                    }
                }
            });
        Ok(())
    }

    /// C (0 for the input constraints), every element of `c` written, zero beyond the constraints.
    pub fn fill_c(&self, c: &mut [blst_fr]) -> Result<(), String> {
        self.check_len(c.len())?;
        let rows = self.rows;
        let (mc, tc) = (self.prepared[2].0, &self.prepared[2].1);
        c.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, c)| {
            for (i, c) in c.iter_mut().enumerate() {
                let r = ci * CHUNK + i;
                *c = if r < rows {
                    to_mont(&row(mc, tc, &self.w, r))
                } else {
                    blst_fr::default()
                };
            }
        });
        Ok(())
    }
}
