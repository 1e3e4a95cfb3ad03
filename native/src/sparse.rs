//! Sparse matrix-vector products over CSR matrices whose coefficients index a small table, and the
//! elementwise helpers of parameter generation.

use crate::fr::{self, CHUNK};
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
fn check(m: &Csr, num_cols: usize, table_len: usize) -> Result<usize, String> {
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
    if let Some(r) = (0..rows)
        .into_par_iter()
        .find_first(|&r| m.row_ptr[r] > m.row_ptr[r + 1])
    {
        return Err(format!("rowPtr decreases at row {r}"));
    }
    if let Some(k) = m.cols[..terms]
        .par_iter()
        .position_first(|&c| c as usize >= num_cols)
    {
        return Err(format!("term {k} names column {} of {num_cols}", m.cols[k]));
    }
    if let Some(k) = m.coeff_ids[..terms]
        .par_iter()
        .position_first(|&c| c as usize >= table_len)
    {
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
