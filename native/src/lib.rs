//! c2prover's native CPU backend: the heavy kernels of the Backend interface (src/backends/backend.ts)
//! on blst and rayon, exposed to Node with napi-rs. Every heavy call is an AsyncTask: it runs on a
//! libuv worker (which fans out to rayon) and returns a Promise, so the event loop never blocks.
//! Encodings are bellperson's: Fr 32 bytes little-endian canonical, G1 96 / G2 192 bytes uncompressed.

#![allow(clippy::new_without_default, clippy::manual_is_multiple_of)]

mod affine_add;
mod curve;
mod fixed;
mod fr;
#[cfg(feature = "cuda")]
mod gpu;
mod homogeneous;
mod msm;
mod ntt;
mod pippenger;
mod poseidon;
mod scalars;
mod sparse;
mod split;
mod verify;
mod witness_code;

use curve::{checked_point, describe, Curve, G1, G2};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use rayon::prelude::*;
use scalars::{Compact, Scalars};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

type Run = Box<
    dyn FnOnce(&mut [Uint8Array], &[Uint32Array]) -> std::result::Result<Vec<u8>, String> + Send,
>;

/// One heavy call: the JS arrays it reads (kept alive, and released on the main thread, by the
/// task) and the work to do on them.
pub struct Job {
    bufs: Vec<Uint8Array>,
    u32s: Vec<Uint32Array>,
    run: Option<Run>,
}

impl Task for Job {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Vec<u8>> {
        let run = self
            .run
            .take()
            .ok_or_else(|| Error::from_reason("job already ran"))?;
        let (bufs, u32s) = (&mut self.bufs, &self.u32s);
        match catch_unwind(AssertUnwindSafe(|| run(bufs, u32s))) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(msg)) => Err(Error::new(Status::InvalidArg, msg)),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                Err(Error::from_reason(format!(
                    "native backend panicked: {msg}"
                )))
            }
        }
    }

    fn resolve(&mut self, _env: Env, output: Vec<u8>) -> Result<Buffer> {
        Ok(output.into())
    }
}

/// CSR matrices kept as (row_ptr, cols, coeff_ids) triples of u32 arrays inside a Job.
pub(crate) fn csrs(u: &[Uint32Array]) -> Vec<sparse::Csr<'_>> {
    u.chunks_exact(3)
        .map(|c| sparse::Csr {
            row_ptr: &c[0],
            cols: &c[1],
            coeff_ids: &c[2],
        })
        .collect()
}

/// One matrix of an R1CS as src/shared/r1cs.ts's SparseMatrix holds it, read by field name.
#[napi(object, object_to_js = false)]
pub struct CsrMatrix {
    pub row_ptr: Uint32Array,
    pub cols: Uint32Array,
    pub coeff_ids: Uint32Array,
    pub coeff_table: Uint8Array,
}

/// The three matrices of an R1CS (src/shared/r1cs.ts's R1cs; its counts are not read here).
#[napi(object, object_to_js = false)]
pub struct R1csMatrices {
    pub a: CsrMatrix,
    pub b: CsrMatrix,
    pub c: CsrMatrix,
}

/// The caller's buffers that evaluateR1cs writes A, B, C into.
#[napi(object, object_to_js = false)]
pub struct AbcBuffers {
    pub a: Uint8Array,
    pub b: Uint8Array,
    pub c: Uint8Array,
}

/// sppark's name for the two transforms.
#[napi(string_enum)]
#[allow(non_camel_case_types)]
pub enum NttDirection {
    forward,
    inverse,
}

/// One GPU as `cudaInfo` reports it.
#[napi(object)]
pub struct CudaDevice {
    pub name: String,
    /// compute capability, "9.0" for an H100/H200
    pub compute: String,
    pub sm_count: u32,
    pub total_mem: f64,
    pub free_mem: f64,
}

/// Whether this addon was built with the CUDA backend, and if so what it found.
#[napi(object)]
pub struct CudaInfo {
    pub compiled: bool,
    /// the architectures compiled to real code, as C2_CUDA_ARCHS names them ("80,86,89,90,100,120")
    pub archs: String,
    pub runtime_version: i32,
    /// 0 where no driver is installed
    pub driver_version: i32,
    pub devices: Vec<CudaDevice>,
    /// why there is no usable device (CUDA's own words)
    pub error: Option<String>,
}

/// The CPU-only build's answer: no CUDA code in this addon.
#[cfg(not(feature = "cuda"))]
#[napi(js_name = "cudaInfo")]
pub fn cuda_info() -> CudaInfo {
    CudaInfo {
        compiled: false,
        archs: String::new(),
        runtime_version: 0,
        driver_version: 0,
        devices: Vec::new(),
        error: None,
    }
}

/// A matrix as a Job holds it: its three index arrays and its table.
fn csr_parts(m: CsrMatrix) -> ([Uint32Array; 3], Uint8Array) {
    ([m.row_ptr, m.cols, m.coeff_ids], m.coeff_table)
}

/// The 9 index arrays (A, B, C in order) and the 3 tables of an R1CS, as a Job holds them.
pub(crate) fn r1cs_parts(r: R1csMatrices) -> (Vec<Uint32Array>, Vec<Uint8Array>) {
    let mut u32s = Vec::with_capacity(9);
    let mut tables = Vec::with_capacity(3);
    for m in [r.a, r.b, r.c] {
        let (idx, table) = csr_parts(m);
        u32s.extend(idx);
        tables.push(table);
    }
    (u32s, tables)
}

fn job(bufs: Vec<Uint8Array>, u32s: Vec<Uint32Array>, run: Run) -> AsyncTask<Job> {
    AsyncTask::new(Job {
        bufs,
        u32s,
        run: Some(run),
    })
}

/// Synthesis's compact witness (src/shared/compact-witness.ts) as an argument, read by field name.
#[napi(object, object_to_js = false)]
pub struct CompactWitness {
    pub count: u32,
    pub full: Uint32Array,
    pub bits: Uint32Array,
    pub values: Uint8Array,
}

/// An MSM's scalars or a witness's aux: 32-byte values, or the compact witness (scalars.rs).
pub type ScalarArg = Either<Uint8Array, CompactWitness>;

/// Where a Job keeps a ScalarArg's arrays: its bytes (or compact values) in `bufs`, a compact witness's
/// two words arrays in `u32s` with its count.
#[derive(Clone, Copy)]
pub(crate) struct Held {
    buf: usize,
    compact: Option<(usize, usize)>,
}

pub(crate) fn hold(
    arg: ScalarArg,
    bufs: &mut Vec<Uint8Array>,
    u32s: &mut Vec<Uint32Array>,
) -> Held {
    match arg {
        Either::A(bytes) => {
            bufs.push(bytes);
            Held {
                buf: bufs.len() - 1,
                compact: None,
            }
        }
        Either::B(c) => {
            bufs.push(c.values);
            u32s.extend([c.full, c.bits]);
            Held {
                buf: bufs.len() - 1,
                compact: Some((u32s.len() - 2, c.count as usize)),
            }
        }
    }
}

impl Held {
    /// The values, checked to add up (`what` starts the message).
    pub(crate) fn get<'a>(
        &self,
        b: &'a [Uint8Array],
        u: &'a [Uint32Array],
        what: &str,
    ) -> std::result::Result<Scalars<'a>, String> {
        match self.compact {
            None => Scalars::bytes(&b[self.buf], what),
            Some((w, count)) => Ok(Scalars::Compact(Compact::new(
                count,
                &u[w],
                &u[w + 1],
                &b[self.buf],
            )?)),
        }
    }
}

/// A task over an MSM's scalars (either form) and its optional density map (one byte a scalar).
pub(crate) fn scalar_job(
    scalars: ScalarArg,
    density: Option<Uint8Array>,
    run: impl FnOnce(&Scalars, Option<&[u8]>) -> std::result::Result<Vec<u8>, String> + Send + 'static,
) -> AsyncTask<Job> {
    let (mut bufs, mut u32s) = (Vec::new(), Vec::new());
    let held = hold(scalars, &mut bufs, &mut u32s);
    let has_density = density.is_some();
    bufs.extend(density);
    job(
        bufs,
        u32s,
        Box::new(move |b, u| {
            let sc = held.get(b, u, "msm scalars")?;
            run(
                &sc,
                if has_density {
                    Some(&b[held.buf + 1][..])
                } else {
                    None
                },
            )
        }),
    )
}

/// A table's points, and their count readable without the lock (so `length` never waits on an
/// append or an MSM in flight).
pub struct TableStore<C: Curve> {
    pts: RwLock<Vec<C::Affine>>,
    len: AtomicUsize,
}

impl<C: Curve> TableStore<C> {
    fn new(capacity: usize) -> Arc<Self> {
        Arc::new(TableStore {
            pts: RwLock::new(Vec::with_capacity(capacity)),
            len: AtomicUsize::new(0),
        })
    }
    fn read(&self) -> std::sync::LockResult<std::sync::RwLockReadGuard<'_, Vec<C::Affine>>> {
        self.pts.read()
    }
    fn write(&self) -> std::sync::LockResult<std::sync::RwLockWriteGuard<'_, Vec<C::Affine>>> {
        self.pts.write()
    }
}

type Store<C> = Arc<TableStore<C>>;

#[derive(Clone)]
enum Tab {
    G1(Store<G1>),
    G2(Store<G2>),
}

/// Decodes `bytes` straight into the table's spare capacity; nothing is appended unless every point
/// is good, and the error names the first bad one.
fn append_points<C: Curve>(
    store: &Store<C>,
    bytes: &[u8],
    validate: bool,
) -> std::result::Result<(), String> {
    if bytes.len() % C::BYTES != 0 {
        return Err(format!(
            "{}: {} bytes is not a whole number of {}-byte points",
            C::NAME,
            bytes.len(),
            C::BYTES
        ));
    }
    let n = bytes.len() / C::BYTES;
    let mut v = store.write().map_err(|_| "table lock poisoned")?;
    let len0 = v.len();
    v.reserve(n);
    const B: usize = 1 << 10;
    let spare = &mut v.spare_capacity_mut()[..n];
    let bad = spare
        .par_chunks_mut(B)
        .zip(bytes.par_chunks(B * C::BYTES))
        .enumerate()
        .filter_map(|(ci, (out, src))| {
            for (i, (o, b)) in out.iter_mut().zip(src.chunks_exact(C::BYTES)).enumerate() {
                match C::deserialize(b) {
                    Ok(a) => {
                        if validate && !C::in_group(&a) {
                            return Some((
                                ci * B + i,
                                describe(blst::BLST_ERROR::BLST_POINT_NOT_IN_GROUP),
                            ));
                        }
                        o.write(a);
                    }
                    Err(e) => return Some((ci * B + i, describe(e))),
                }
            }
            None
        })
        .min_by_key(|x| x.0);
    if let Some((i, why)) = bad {
        return Err(format!(
            "{} point at index {i} of the appended bytes (table index {}) {why}",
            C::NAME,
            len0 + i
        ));
    }
    unsafe { v.set_len(len0 + n) };
    store.len.store(len0 + n, Ordering::Release);
    Ok(())
}

fn msm_scalars<C: Curve>(
    store: &Store<C>,
    start: usize,
    scalars: &Scalars,
    density: Option<&[u8]>,
) -> std::result::Result<Vec<u8>, String> {
    let v = store.read().map_err(|_| "table lock poisoned")?;
    let p = msm::msm::<C>(&v, start, scalars, density)?;
    Ok(C::proj_to_bytes(&p))
}

/// Points of one group in blst's affine form, for MSMs.
#[napi]
pub struct NativeTable {
    tab: Tab,
}

#[napi]
impl NativeTable {
    #[napi(constructor)]
    pub fn new(group: String, capacity: u32) -> Result<Self> {
        let tab = match group.as_str() {
            "g1" => Tab::G1(TableStore::new(capacity as usize)),
            "g2" => Tab::G2(TableStore::new(capacity as usize)),
            _ => {
                return Err(Error::new(
                    Status::InvalidArg,
                    format!("unknown group {group:?}"),
                ))
            }
        };
        Ok(NativeTable { tab })
    }

    #[napi(getter)]
    pub fn group(&self) -> String {
        match self.tab {
            Tab::G1(_) => "g1".into(),
            Tab::G2(_) => "g2".into(),
        }
    }

    /// Points appended so far (an append in flight counts once it has succeeded).
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        match &self.tab {
            Tab::G1(s) => s.len.load(Ordering::Acquire) as u32,
            Tab::G2(s) => s.len.load(Ordering::Acquire) as u32,
        }
    }

    /// Appends uncompressed points; with `validate` each is also checked in the subgroup.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn append(&self, bytes: Uint8Array, validate: bool) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        job(
            vec![bytes],
            vec![],
            Box::new(move |b, _| {
                match &tab {
                    Tab::G1(s) => append_points::<G1>(s, &b[0], validate)?,
                    Tab::G2(s) => append_points::<G2>(s, &b[0], validate)?,
                }
                Ok(Vec::new())
            }),
        )
    }

    /// Releases the points now (waits for calls in flight on this table: free after their promises
    /// settle).
    #[napi]
    pub fn free(&self) {
        match &self.tab {
            Tab::G1(s) => {
                if let Ok(mut v) = s.write() {
                    *v = Vec::new();
                    s.len.store(0, Ordering::Release);
                }
            }
            Tab::G2(s) => {
                if let Ok(mut v) = s.write() {
                    *v = Vec::new();
                    s.len.store(0, Ordering::Release);
                }
            }
        }
    }

    /// sum scalars[i] * bases[start + k(i)], k compacted by the optional density map.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn msm(
        &self,
        start: u32,
        #[napi(ts_arg_type = "Uint8Array | CompactWitness")] scalars: ScalarArg,
        density: Option<Uint8Array>,
    ) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        scalar_job(scalars, density, move |sc, d| match &tab {
            Tab::G1(s) => msm_scalars::<G1>(s, start as usize, sc, d),
            Tab::G2(s) => msm_scalars::<G2>(s, start as usize, sc, d),
        })
    }
}

/// An MSM's scalars split as the GPU backends take them (split::split), on every core instead of the
/// event loop: little-endian u32 words [dense, span, bitmap words, rest], the ones' bitmap over the span,
/// the rest's positions, then the rest's scalars. The WebGPU MSM reads it; the CUDA glue's own MSMs call
/// the split directly, and its tests read it here.
#[napi(js_name = "msmSplit", ts_return_type = "Promise<Buffer>")]
pub fn msm_split(
    #[napi(ts_arg_type = "Uint8Array | CompactWitness")] scalars: ScalarArg,
    density: Option<Uint8Array>,
) -> AsyncTask<Job> {
    scalar_job(scalars, density, |sc, d| {
        let s = split::split(sc, d)?;
        let head = [s.dense as usize, s.span, s.ones.len(), s.rest_idx.len()];
        let words = head
            .iter()
            .map(|&w| w as u32)
            .chain(s.ones)
            .chain(s.rest_idx);
        let mut out: Vec<u8> = words.flat_map(u32::to_le_bytes).collect();
        out.extend_from_slice(&s.rest_scalars);
        Ok(out)
    })
}

/// Synthesis's compact witness (src/groth16/witness.ts) expanded into `out`, 32 bytes a variable, on every
/// core (scalars.rs); rejects a layout that does not add up.
#[napi(js_name = "expandWitness", ts_return_type = "Promise<Buffer>")]
pub fn expand_witness(
    full: Uint32Array,
    bits: Uint32Array,
    values: Uint8Array,
    out: Uint8Array,
) -> AsyncTask<Job> {
    job(
        vec![out, values],
        vec![full, bits],
        Box::new(|b, u| {
            let (out, values) = b.split_at_mut(1);
            if out[0].len() % fr::FR_BYTES != 0 {
                return Err(format!(
                    "expandWitness: {} bytes is not a whole number of scalars",
                    out[0].len()
                ));
            }
            Compact::new(out[0].len() / fr::FR_BYTES, &u[0], &u[1], &values[0])?
                .expand(&mut out[0]);
            Ok(Vec::new())
        }),
    )
}

/// A witness (inputs then aux) in the form the GPU backends expand on the device (witness_code.rs: the
/// 0/1 values as bits, the rest as they are), every value checked canonical on the way; rejects naming
/// the first that is not, as "inputs: scalar i ..." or "aux: scalar i is not reduced modulo r".
#[napi(js_name = "witnessCode", ts_return_type = "Promise<Buffer>")]
pub fn witness_code(
    inputs: Uint8Array,
    #[napi(ts_arg_type = "Uint8Array | CompactWitness")] aux: ScalarArg,
) -> AsyncTask<Job> {
    let (mut bufs, mut u32s) = (vec![inputs], Vec::new());
    let aux = hold(aux, &mut bufs, &mut u32s);
    job(
        bufs,
        u32s,
        Box::new(move |b, u| witness_code::encode(&b[0], &aux.get(b, u, "aux")?)),
    )
}

/// Resolves when a matrix's shape is sound for `num_cols` columns (sparse.rs `check`: offsets monotone and
/// covering the terms, columns and coefficient ids in range), else rejects saying where: the bounds the
/// WebGPU R1CS kernel relies on, checked on every core.
#[napi(js_name = "checkCsr", ts_return_type = "Promise<Buffer>")]
pub fn check_csr(matrix: CsrMatrix, num_cols: u32) -> AsyncTask<Job> {
    let (idx, table) = csr_parts(matrix);
    job(
        vec![table],
        idx.into(),
        Box::new(move |b, u| {
            let m = &csrs(u)[0];
            sparse::check(m, num_cols as usize, b[0].len() / fr::FR_BYTES).map(|_| Vec::new())
        }),
    )
}

/// Resolves when every scalar of `values` is canonical (below r), else rejects naming the first that is
/// not, as "{what}: scalar {i} is not reduced modulo r": the WebGPU kernels' input check, on every core.
#[napi(js_name = "checkFr", ts_return_type = "Promise<Buffer>")]
pub fn check_fr(values: Uint8Array, what: String) -> AsyncTask<Job> {
    job(
        vec![values],
        vec![],
        Box::new(move |b, _| {
            if b[0].len() % fr::FR_BYTES != 0 {
                return Err(format!(
                    "{what}: {} bytes is not a whole number of scalars",
                    b[0].len()
                ));
            }
            match fr::first_non_canonical(&b[0]) {
                Some(i) => Err(format!("{what}: scalar {i} is not reduced modulo r")),
                None => Ok(Vec::new()),
            }
        }),
    )
}

/// A Groth16 verifying key checked once (verify.rs), which verifies proofs synchronously: a few milliseconds.
#[napi]
pub struct Groth16Key {
    key: verify::Prepared,
}

#[napi]
impl Groth16Key {
    /// The key as bellperson writes it (a `.vk` file).
    #[napi(constructor)]
    pub fn new(vk: Uint8Array) -> Result<Self> {
        let key = verify::Prepared::new(&vk).map_err(|msg| Error::new(Status::InvalidArg, msg))?;
        Ok(Groth16Key { key })
    }

    /// Whether the proof (A, B, C uncompressed) verifies for the public inputs (32 bytes LE each).
    #[napi]
    pub fn verify(&self, proof: Uint8Array, inputs: Uint8Array) -> Result<bool> {
        self.key
            .verify(&proof, &inputs)
            .map_err(|msg| Error::new(Status::InvalidArg, msg))
    }
}

/// Poseidon of one arity (poseidon.rs), its constants given by JS: synchronous, ~tens of microseconds a
/// hash, called by synthesis once per Poseidon gadget.
#[napi]
pub struct PoseidonKernel {
    constants: poseidon::Constants,
}

#[napi]
impl PoseidonKernel {
    /// Scalars 32 bytes LE each: the domain tag, the compressed round constants, the MDS and pre-sparse
    /// matrices (row-major), and per partial round w_hat then v_rest.
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        width: u32,
        half_full_rounds: u32,
        partial_rounds: u32,
        domain_tag: Uint8Array,
        round_constants: Uint8Array,
        mds: Uint8Array,
        pre_sparse: Uint8Array,
        sparse: Uint8Array,
    ) -> Result<Self> {
        let constants = poseidon::Constants::new(
            width as usize,
            half_full_rounds as usize,
            partial_rounds as usize,
            &domain_tag,
            &round_constants,
            &mds,
            &pre_sparse,
            &sparse,
        )
        .map_err(|msg| Error::new(Status::InvalidArg, msg))?;
        Ok(PoseidonKernel { constants })
    }

    /// Values a hash allocates in the circuit, its result last.
    #[napi(getter)]
    pub fn allocations(&self) -> u32 {
        self.constants.allocations() as u32
    }

    /// The hash of `inputs` into `out`: 32 bytes (the result) or `allocations` scalars (every value the
    /// circuit allocates, in order).
    #[napi]
    pub fn hash(&self, inputs: Uint8Array, mut out: Uint8Array) -> Result<()> {
        self.constants
            .hash_into(&inputs, &mut out)
            .map_err(|msg| Error::new(Status::InvalidArg, msg))
    }
}

/// sum of 2^exps[i] * P_i over the WebGPU kernels' projective sums (homogeneous, Montgomery Fq words as
/// bytes), uncompressed: Pippenger's window combination and the sum of an MSM's parts. Synchronous: a
/// few hundred points at most, well under a millisecond.
#[napi(js_name = "sumPow2")]
pub fn sum_pow2(group: String, points: Uint8Array, exps: Uint32Array) -> Result<Buffer> {
    let r = match group.as_str() {
        "g1" => homogeneous::sum_pow2::<G1>(&points, &exps),
        "g2" => homogeneous::sum_pow2::<G2>(&points, &exps),
        _ => Err(format!("unknown group {group:?}")),
    };
    r.map(Buffer::from)
        .map_err(|msg| Error::new(Status::InvalidArg, msg))
}

fn fixed<C: Curve>(base: &[u8], scalars: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let b = checked_point::<C>(base, &format!("fixedBaseMul: {} base", C::NAME))?;
    fixed::fixed_base_mul::<C>(&b, scalars)
}

/// base * scalars[i] for every i, uncompressed (identity where the scalar is 0).
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn fixed_base_mul(
    group: String,
    base: Uint8Array,
    scalars: Uint8Array,
) -> Result<AsyncTask<Job>> {
    let g2 = match group.as_str() {
        "g1" => false,
        "g2" => true,
        _ => {
            return Err(Error::new(
                Status::InvalidArg,
                format!("unknown group {group:?}"),
            ))
        }
    };
    Ok(job(
        vec![base, scalars],
        vec![],
        Box::new(move |b, _| {
            if g2 {
                fixed::<G2>(&b[0], &b[1])
            } else {
                fixed::<G1>(&b[0], &b[1])
            }
        }),
    ))
}

/// The quotient's a, b, c (the CPU's and the GPU's): one length for all three.
pub(crate) fn check_abc<T: AsRef<[u8]>>(v: &[T]) -> std::result::Result<(), String> {
    let [a, b, c] = [&v[0], &v[1], &v[2]].map(|x| x.as_ref().len());
    if a != b || a != c {
        return Err(format!(
            "quotient: a, b, c differ in length ({a}, {b}, {c})"
        ));
    }
    Ok(())
}

/// Groth16's quotient, bellperson's EvaluationDomain semantics: the first m - 1 coefficients of H.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn quotient(a: Uint8Array, b: Uint8Array, c: Uint8Array) -> AsyncTask<Job> {
    job(
        vec![a, b, c],
        vec![],
        Box::new(|v, _| {
            check_abc(v)?;
            let n = v[0].len() / fr::FR_BYTES;
            let m = n.max(1).next_power_of_two();
            let a = fr::frs_from_bytes_padded(&v[0], m, "quotient a")?;
            let b = fr::frs_from_bytes_padded(&v[1], m, "quotient b")?;
            let c = fr::frs_from_bytes_padded(&v[2], m, "quotient c")?;
            let h = ntt::quotient(a, b, c)?;
            Ok(fr::frs_to_bytes(&h[..m - 1]))
        }),
    )
}

/// In-place NTT over the subgroup of order len/32; inverse scales by 1/m. Resolves to an empty buffer.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn ntt(values: Uint8Array, direction: NttDirection) -> AsyncTask<Job> {
    let inverse = matches!(direction, NttDirection::inverse);
    job(
        vec![values],
        vec![],
        Box::new(move |v, _| {
            let a = ntt::ntt_public(fr::frs_from_bytes(&v[0], "ntt values")?, inverse)?;
            let out: &mut [u8] = &mut v[0];
            out.par_chunks_mut(fr::CHUNK * fr::FR_BYTES)
                .zip(a.par_chunks(fr::CHUNK))
                .for_each(|(o, src)| {
                    for (dst, f) in o.chunks_exact_mut(fr::FR_BYTES).zip(src) {
                        fr::fr_to_le(f, dst);
                    }
                });
            Ok(Vec::new())
        }),
    )
}

/// rows: out[r] = sum_k coeff(r, k) * vec[col(r, k)].
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn sparse_mul(matrix: CsrMatrix, vec: Uint8Array) -> AsyncTask<Job> {
    let (idx, coeff_table) = csr_parts(matrix);
    job(
        vec![coeff_table, vec],
        idx.into(),
        Box::new(|b, u| {
            let m = &csrs(u)[0];
            Ok(fr::frs_to_bytes(&sparse::sparse_mul(m, &b[0], &b[1])?))
        }),
    )
}

/// A, B, C of an R1CS on a witness, written into `out` (each (constraints + inputs) * 32 bytes, input
/// constraints included). Resolves to an empty buffer.
#[napi(js_name = "evaluateR1cs", ts_return_type = "Promise<Buffer>")]
pub fn evaluate_r1cs(
    r1cs: R1csMatrices,
    inputs: Uint8Array,
    aux: Uint8Array,
    out: AbcBuffers,
) -> AsyncTask<Job> {
    let (csr, tables) = r1cs_parts(r1cs);
    // bufs: the three outputs first (borrowed mutably), then tables, inputs, aux
    let mut bufs = vec![out.a, out.b, out.c];
    bufs.extend(tables);
    bufs.extend([inputs, aux]);
    job(
        bufs,
        csr,
        Box::new(|b, u| {
            let m = csrs(u);
            let (out, rest) = b.split_at_mut(3);
            let [oa, ob, oc] = out else { unreachable!() };
            sparse::evaluate(
                [(&m[0], &rest[0]), (&m[1], &rest[1]), (&m[2], &rest[2])],
                &rest[3],
                &rest[4],
                [oa, ob, oc],
            )?;
            Ok(Vec::new())
        }),
    )
}

/// Groth16's quotient straight from an R1CS and its witness (arguments as `evaluateR1cs`, no outputs):
/// A, B, C are evaluated into the padded vectors the transforms run on (C late, into B's, so two
/// domain vectors live at once). The first m - 1 coefficients of H.
#[napi(js_name = "quotientR1cs", ts_return_type = "Promise<Buffer>")]
pub fn quotient_r1cs(
    r1cs: R1csMatrices,
    inputs: Uint8Array,
    #[napi(ts_arg_type = "Uint8Array | CompactWitness")] aux: ScalarArg,
) -> AsyncTask<Job> {
    let (mut csr, mut bufs) = r1cs_parts(r1cs);
    bufs.push(inputs);
    let aux = hold(aux, &mut bufs, &mut csr);
    job(
        bufs,
        csr,
        Box::new(move |b, u| {
            let m = csrs(&u[..9]);
            // a compact aux is read as it is: its bits classified, its full values found by rank
            let aux = aux.get(b, u, "aux")?;
            let r1cs = sparse::R1csEval::new(
                [(&m[0], &b[0]), (&m[1], &b[1]), (&m[2], &b[2])],
                &b[3],
                &aux,
            )?;
            let len = r1cs.len().max(1).next_power_of_two();
            // zeroed allocations; A and B evaluated now, C once A*B has freed B's vector
            let mut a = vec![blst::blst_fr::default(); len];
            let mut bb = vec![blst::blst_fr::default(); len];
            r1cs.fill_ab(&mut a, &mut bb)?;
            let h = ntt::quotient_late_c(a, bb, |c| r1cs.fill_c(c))?;
            Ok(fr::frs_to_bytes(&h[..len - 1]))
        }),
    )
}

/// columns: out[c] = sum over terms in column c of coeff * vec[row], numCols out.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn sparse_mul_transposed(matrix: CsrMatrix, vec: Uint8Array, num_cols: u32) -> AsyncTask<Job> {
    let (idx, coeff_table) = csr_parts(matrix);
    job(
        vec![coeff_table, vec],
        idx.into(),
        Box::new(move |b, u| {
            let m = &csrs(u)[0];
            Ok(fr::frs_to_bytes(&sparse::sparse_mul_transposed(
                m,
                &b[0],
                &b[1],
                num_cols as usize,
            )?))
        }),
    )
}

/// (a * x + b * y + z) * w elementwise; x, y, w single scalars.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn linear_combine(
    a: Uint8Array,
    x: Uint8Array,
    b: Uint8Array,
    y: Uint8Array,
    z: Uint8Array,
    w: Uint8Array,
) -> AsyncTask<Job> {
    job(
        vec![a, x, b, y, z, w],
        vec![],
        Box::new(|v, _| {
            let x = fr::scalar_arg(&v[1], "linearCombine x")?;
            let y = fr::scalar_arg(&v[3], "linearCombine y")?;
            let w = fr::scalar_arg(&v[5], "linearCombine w")?;
            Ok(fr::frs_to_bytes(&sparse::linear_combine(
                &v[0], &x, &v[2], &y, &v[4], &w,
            )?))
        }),
    )
}

/// [scale * base^i for i < n].
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn powers(base: Uint8Array, n: u32, scale: Uint8Array) -> AsyncTask<Job> {
    job(
        vec![base, scale],
        vec![],
        Box::new(move |v, _| {
            let b = fr::scalar_arg(&v[0], "powers base")?;
            let s = fr::scalar_arg(&v[1], "powers scale")?;
            Ok(fr::frs_to_bytes(&fr::powers(&b, n as usize, &s)))
        }),
    )
}

/// rayon's worker count.
#[napi]
pub fn thread_count() -> u32 {
    rayon::current_num_threads() as u32
}
