//! Groth16's quotient from an R1CS with A, B, C evaluated on the GPU (c2_quotient_r1cs), and the R1CS's
//! matrices kept in GPU memory between quotients (napi class CudaR1cs). A job's partitions share one
//! structure: resident, it crosses the bus and is checked once per GPU instead of once per partition
//! (~7.4 GB at 32GiB). It stays only where the quotient's working set fits beside it twice over (the
//! MSMs' scratch must fit too); elsewhere each quotient uploads it for the call and frees it after.

use super::ffi::*;
use super::table::{CudaTable, GpuStore};
use super::{check, coset_zinv, lock, log2_exact, Lease, OUT_OF_MEMORY};
use crate::curve::{Curve, G1};
use crate::fr::FR_BYTES;
use crate::{job, Job, R1csMatrices};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a resident structure was checked as: a later quotient's R1CS and witness must have the same.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Shape {
    rows: usize,
    vars: usize,
    terms: [usize; 3],
    coeffs: [usize; 3],
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "{} constraints over {} variables, {:?} terms, {:?} coefficients",
            self.rows, self.vars, self.terms, self.coeffs
        )
    }
}

/// One device's copy, freed under that device's lock once the last quotient using it is done.
struct DeviceCopy {
    handle: usize,
    device: usize,
}

impl Drop for DeviceCopy {
    fn drop(&mut self) {
        let _g = lock(self.device);
        unsafe { c2_r1cs_free(self.handle as *mut c_void) };
    }
}

enum Mirror {
    Empty,
    Resident(Arc<DeviceCopy>),
    /// why it is not kept there: each quotient uploads it
    PerCall(String),
}

struct Resident {
    shape: Mutex<Option<Shape>>,
    /// by device index
    mirrors: Vec<Mutex<Mirror>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // nothing is left half-done under these locks: a panic elsewhere does not poison the state
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Resident {
    /// The copy on `device`, made now if there is none and it fits beside `reserve` bytes; None where
    /// it does not fit (the call uploads the structure itself).
    fn on(
        &self,
        device: usize,
        mats: &[CCsr; 3],
        rows: usize,
        reserve: usize,
    ) -> std::result::Result<Option<Arc<DeviceCopy>>, String> {
        let mut m = locked(&self.mirrors[device]);
        match &*m {
            Mirror::Resident(c) => return Ok(Some(c.clone())),
            Mirror::PerCall(_) => return Ok(None),
            Mirror::Empty => {}
        }
        let mut h: *mut c_void = std::ptr::null_mut();
        let s = {
            let _g = lock(device);
            unsafe { c2_r1cs_new(device as i32, mats.as_ptr(), rows, reserve, &mut h) }
        };
        if s.code == OUT_OF_MEMORY {
            *m = Mirror::PerCall(super::message(&s));
            return Ok(None);
        }
        check(s)?;
        let c = Arc::new(DeviceCopy {
            handle: h as usize,
            device,
        });
        *m = Mirror::Resident(c.clone());
        Ok(Some(c))
    }
}

/// An R1CS's matrices on the GPUs for as long as this object lives or until `free`: pass it to every
/// quotient of the same structure. The first quotient checks the structure, later ones only their
/// witness and that the structure has the same shape.
#[napi(js_name = "CudaR1cs")]
pub struct CudaR1cs {
    inner: Arc<Resident>,
}

impl Default for CudaR1cs {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl CudaR1cs {
    #[napi(constructor)]
    pub fn new() -> Self {
        CudaR1cs {
            inner: Arc::new(Resident {
                shape: Mutex::new(None),
                mirrors: (0..super::device_count())
                    .map(|_| Mutex::new(Mirror::Empty))
                    .collect(),
            }),
        }
    }

    /// Per device: "resident", "none" (not uploaded yet), or "per call: " and why it did not fit.
    #[napi(getter)]
    pub fn state(&self) -> Vec<String> {
        self.inner
            .mirrors
            .iter()
            .map(|m| match &*locked(m) {
                Mirror::Empty => "none".to_string(),
                Mirror::Resident(_) => "resident".to_string(),
                Mirror::PerCall(why) => format!("per call: {why}"),
            })
            .collect()
    }

    /// Drops the GPU copies (a quotient in flight keeps its own until it is done); the next quotient
    /// uploads again, and measures again whether the structure fits.
    #[napi]
    pub fn free(&self) {
        for m in &self.inner.mirrors {
            *locked(m) = Mirror::Empty;
        }
    }

    /// Groth16's quotient straight from an R1CS and its witness, with the CPU `quotientR1cs`'s contract
    /// and checks, A, B, C evaluated on the GPU (c2_quotient_r1cs): the witness crosses the bus instead
    /// of three domain vectors, the host evaluates nothing, and this structure is kept on the GPU between
    /// calls where it fits.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn quotient(
        &self,
        r1cs: R1csMatrices,
        inputs: Uint8Array,
        #[napi(ts_arg_type = "Uint8Array | CompactWitness")] aux: crate::ScalarArg,
    ) -> AsyncTask<Job> {
        quotient_job(r1cs, inputs, aux, self.inner.clone(), None)
    }

    /// `quotient`'s H summed over the G1 table `h` (sum H[i] * h[i], i < m - 1: the h query's MSM) with H
    /// left where the quotient made it: only the sum crosses the bus, not H twice (8 GiB a 32GiB
    /// partition). Where `h` is streamed on the device, H comes back and streams with its points.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn quotient_msm(
        &self,
        r1cs: R1csMatrices,
        inputs: Uint8Array,
        #[napi(ts_arg_type = "Uint8Array | CompactWitness")] aux: crate::ScalarArg,
        h: &CudaTable,
    ) -> Result<AsyncTask<Job>> {
        let h = h
            .g1_store()
            .map_err(|e| Error::new(Status::InvalidArg, e))?;
        Ok(quotient_job(r1cs, inputs, aux, self.inner.clone(), Some(h)))
    }
}

fn quotient_job(
    r1cs: R1csMatrices,
    inputs: Uint8Array,
    aux: crate::ScalarArg,
    resident: Arc<Resident>,
    h: Option<Arc<GpuStore<G1>>>,
) -> AsyncTask<Job> {
    let (mut csr, mut bufs) = crate::r1cs_parts(r1cs);
    bufs.push(inputs);
    let aux = crate::hold(aux, &mut bufs, &mut csr);
    job(
        bufs,
        csr,
        Box::new(move |b, u| {
            let m = crate::csrs(&u[..9]);
            let inputs = &b[3];
            let aux = aux.get(b, u, "aux")?;
            let mats: [CCsr; 3] = std::array::from_fn(|i| CCsr {
                row_ptr: m[i].row_ptr.as_ptr(),
                cols: m[i].cols.as_ptr(),
                coeff_ids: m[i].coeff_ids.as_ptr(),
                coeffs: b[i].as_ptr() as *const c_void,
                ncoeffs: b[i].len() / FR_BYTES,
            });
            // a matrix's terms: its row_ptr's last offset once checked, its cols' length before
            let shape = Shape {
                rows: m[0].row_ptr.len().saturating_sub(1),
                vars: inputs.len() / FR_BYTES + aux.len(),
                terms: std::array::from_fn(|i| m[i].cols.len()),
                coeffs: std::array::from_fn(|i| b[i].len() / FR_BYTES),
            };
            // the witness's code (witness_code.rs: ~5% of its bytes for PoRep's), every value checked
            // canonical as it is made
            let code = crate::witness_code::encode(inputs, &aux)?;
            // no lock held while checking: partitions proved side by side check their witnesses at once
            let known = *locked(&resident.shape);
            let rows = match known {
                Some(k) if k == shape => k.rows,
                Some(k) => {
                    return Err(format!(
                        "quotientR1cs: an R1CS of {shape}, not the resident one's {k}"
                    ))
                }
                None => {
                    let rows = crate::sparse::check_structure(
                        [(&m[0], &b[0]), (&m[1], &b[1]), (&m[2], &b[2])],
                        shape.vars,
                    )?;
                    *locked(&resident.shape) = Some(shape);
                    rows
                }
            };
            let code = crate::witness_code::parts(&code);
            let ninputs = inputs.len() / FR_BYTES;
            let witness = CWitness {
                groups: code.groups.as_ptr() as *const u32,
                values: code.values.as_ptr() as *const c_void,
                nvars: code.vars,
                ninputs,
                ngeneral: code.general,
            };
            let len = (rows + ninputs).max(1).next_power_of_two();
            let lg = log2_exact(len)?;
            let z = coset_zinv(len);
            if let Some(h) = &h {
                // before any GPU work; checked again under the table's locks
                h.holds(0, len - 1)?;
            }
            let lease = Lease::take();
            // the quotient's own GPU memory (A, B, C over the domain, 1/Z, the witness), kept free twice
            // over beside a resident structure
            let reserve = 2 * (3 * len + 1 + ninputs + aux.len()) * FR_BYTES;
            let copy = resident.on(lease.device, &mats, rows, reserve)?;
            let resident = copy
                .as_ref()
                .map_or(std::ptr::null(), |c| c.handle as *const c_void);
            // H into `out`, or summed over `table` into `sum` on the GPU (the device's lock held)
            let quotient = |out: *mut u8, table: *mut c_void, sum: *mut c_void| {
                check(unsafe {
                    c2_quotient_r1cs(
                        lease.device as i32,
                        out as *mut c_void,
                        len - 1,
                        mats.as_ptr(),
                        resident,
                        rows,
                        &witness,
                        lg,
                        z.as_ptr() as *const c_void,
                        table,
                        sum,
                    )
                })
            };
            let null: *mut c_void = std::ptr::null_mut();
            let Some(h) = &h else {
                let mut out = vec![0u8; (len - 1) * FR_BYTES];
                let _g = lease.lock();
                quotient(out.as_mut_ptr(), null, null)?;
                return Ok(out);
            };
            h.on_device(&lease, len - 1, |table, pts| {
                let mut sum = <G1 as Curve>::Proj::default();
                let at = &mut sum as *mut _ as *mut c_void;
                match table {
                    Some(t) => quotient(std::ptr::null_mut(), t, at)?,
                    None => {
                        // streamed on this device: H comes back and goes up with the table's points
                        let mut out = vec![0u8; (len - 1) * FR_BYTES];
                        quotient(out.as_mut_ptr(), null, null)?;
                        check(unsafe {
                            c2_g1_msm_host(
                                lease.device as i32,
                                pts.as_ptr() as *const c_void,
                                out.as_ptr() as *const c_void,
                                len - 1,
                                at,
                            )
                        })?;
                    }
                }
                Ok(G1::proj_to_bytes(&sum))
            })
        }),
    )
}
