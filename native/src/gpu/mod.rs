//! The CUDA backend's napi surface (feature `cuda`): device discovery, point tables mirrored in GPU
//! memory, MSMs split as the CPU's are (zeros skipped, ones summed, the rest through Pippenger) but run
//! by our glue over sppark (cuda/*.cu), and the NTT and quotient on sppark's NTT. Every device found is
//! used (CUDA_VISIBLE_DEVICES narrows them): a table is mirrored on each, and each call goes to the device
//! with the fewest calls queued or running, where it holds that device's lock (sppark's per-device
//! streams are shared; one kernel at a time saturates a GPU anyway). Partitions proved side by side then
//! spread over the GPUs.
//! A GPU failure rejects with a message starting "CUDA error" (the TS backend maps it to C2_GPU_FAILED);
//! a bad input rejects as it does on the CPU.

mod ffi;
mod r1cs;
mod table;

use crate::fr::{self, FR_BYTES};
use crate::{job, CudaDevice, CudaInfo, Job, NttDirection};
use ffi::*;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use rayon::prelude::*;
use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
// links sppark's device list (select_gpu, all_gpus.cpp) that our glue calls; nothing Rust of it is used
extern crate sppark;

/// cudaErrorMemoryAllocation, negated as the glue reports CUDA codes.
const OUT_OF_MEMORY: i32 = -2;
const MAX_DEVICES: usize = 16;
/// sppark's MAX_LG_DOMAIN_SIZE for BLS12-381.
const MAX_LG: u32 = 28;

static GPUS: [Mutex<()>; MAX_DEVICES] = [const { Mutex::new(()) }; MAX_DEVICES];
/// calls queued on or running on each device (Lease)
static BUSY: [AtomicUsize; MAX_DEVICES] = [const { AtomicUsize::new(0) }; MAX_DEVICES];
static DEVICES: OnceLock<usize> = OnceLock::new();

fn message(s: &CStatus) -> String {
    unsafe { CStr::from_ptr(s.message.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

fn check(s: CStatus) -> std::result::Result<(), String> {
    if s.code == 0 {
        Ok(())
    } else {
        Err(format!("CUDA error {}: {}", s.code, message(&s)))
    }
}

/// What c2_cuda_devices answers: the status, the devices (sppark's list), the runtime and driver versions.
struct Listing {
    status: CStatus,
    devices: Vec<Device>,
    runtime: i32,
    driver: i32,
}

fn list_devices() -> Listing {
    let mut devs = [EMPTY_DEVICE; MAX_DEVICES];
    let (mut count, mut runtime, mut driver) = (0i32, 0i32, 0i32);
    let status = {
        let _g = lock(0);
        unsafe {
            c2_cuda_devices(
                devs.as_mut_ptr(),
                MAX_DEVICES as i32,
                &mut count,
                &mut runtime,
                &mut driver,
            )
        }
    };
    Listing {
        status,
        devices: devs[..(count.max(0) as usize).min(MAX_DEVICES)].to_vec(),
        runtime,
        driver,
    }
}

/// Devices the calls spread over: those c2_cuda_devices lists, or 1 where it lists none (the calls to
/// device 0 then fail with the reason).
pub(crate) fn device_count() -> usize {
    *DEVICES.get_or_init(|| list_devices().devices.len().max(1))
}

/// One device's lock.
fn lock(device: usize) -> std::sync::MutexGuard<'static, ()> {
    // a panic while holding it leaves nothing half-done on our side: the lock only orders GPU calls
    GPUS[device].lock().unwrap_or_else(|p| p.into_inner())
}

/// A call's claim on the least busy device, counted while it waits and runs. Taken before any table
/// lock (it never blocks), so that the lock order stays host points, mirror, device.
pub(crate) struct Lease {
    pub device: usize,
}

impl Lease {
    pub fn take() -> Lease {
        let n = device_count();
        let device = (0..n)
            .min_by_key(|&d| BUSY[d].load(Ordering::Acquire))
            .unwrap_or(0);
        BUSY[device].fetch_add(1, Ordering::AcqRel);
        Lease { device }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'static, ()> {
        lock(self.device)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        BUSY[self.device].fetch_sub(1, Ordering::AcqRel);
    }
}

/// r, little-endian 64-bit limbs: canonical scalars are below it.
const R: [u64; 4] = [
    0xffffffff00000001,
    0x53bda402fffe5bfe,
    0x3339d80809a1d805,
    0x73eda753299d7d48,
];

fn below_r(s: &[u8]) -> bool {
    for i in (0..4).rev() {
        let w = u64::from_le_bytes(s[i * 8..i * 8 + 8].try_into().unwrap());
        if w != R[i] {
            return w < R[i];
        }
    }
    false
}

/// The first non-canonical element, as frs_from_bytes names it.
fn check_canonical(b: &[u8], what: &str) -> std::result::Result<(), String> {
    if b.len() % FR_BYTES != 0 {
        return Err(format!(
            "{what}: byte length {} is not a multiple of {FR_BYTES}",
            b.len()
        ));
    }
    let bad = b
        .par_chunks(fr::CHUNK * FR_BYTES)
        .enumerate()
        .filter_map(|(ci, c)| {
            c.chunks_exact(FR_BYTES)
                .position(|s| !below_r(s))
                .map(|i| ci * fr::CHUNK + i)
        })
        .min();
    match bad {
        Some(i) => Err(format!("{what}: scalar {i} is not reduced modulo r")),
        None => Ok(()),
    }
}

pub(crate) fn log2_exact(n: usize) -> std::result::Result<u32, String> {
    if !n.is_power_of_two() {
        return Err(format!("NTT size {n} is not a power of two"));
    }
    let l = n.trailing_zeros();
    if l > MAX_LG {
        return Err(format!("NTT size 2^{l} exceeds the GPU NTT's 2^{MAX_LG}"));
    }
    Ok(l)
}

/// In-place NTT on the GPU with the CPU's `ntt` semantics; `coset` shifts by the generator 7 first
/// (forward) or after (inverse). Resolves to an empty buffer.
#[napi(js_name = "cudaNtt", ts_return_type = "Promise<Buffer>")]
pub fn cuda_ntt(values: Uint8Array, direction: NttDirection, coset: bool) -> AsyncTask<Job> {
    let inverse = matches!(direction, NttDirection::inverse);
    job(
        vec![values],
        vec![],
        Box::new(move |v, _| {
            check_canonical(&v[0], "ntt values")?;
            let n = v[0].len() / FR_BYTES;
            if n == 0 {
                return Ok(Vec::new());
            }
            let lg = log2_exact(n)?;
            let lease = Lease::take();
            let _g = lease.lock();
            check(unsafe {
                c2_ntt(
                    lease.device as i32,
                    v[0].as_mut_ptr() as *mut c_void,
                    lg,
                    inverse as i32,
                    coset as i32,
                )
            })?;
            Ok(Vec::new())
        }),
    )
}

/// Groth16's quotient on the GPU: the CPU `quotient`'s contract (first m - 1 coefficients of H).
#[napi(js_name = "cudaQuotient", ts_return_type = "Promise<Buffer>")]
pub fn cuda_quotient(a: Uint8Array, b: Uint8Array, c: Uint8Array) -> AsyncTask<Job> {
    job(
        vec![a, b, c],
        vec![],
        Box::new(|v, _| {
            crate::check_abc(v)?;
            for (x, what) in v.iter().zip(["quotient a", "quotient b", "quotient c"]) {
                check_canonical(x, what)?;
            }
            let n = v[0].len() / FR_BYTES;
            let m = n.max(1).next_power_of_two();
            let lg = log2_exact(m)?;
            let z = coset_zinv(m);
            let mut out = vec![0u8; (m - 1) * FR_BYTES];
            let lease = Lease::take();
            let _g = lease.lock();
            check(unsafe {
                c2_quotient(
                    lease.device as i32,
                    out.as_mut_ptr() as *mut c_void,
                    m - 1,
                    v[0].as_ptr() as *const c_void,
                    v[1].as_ptr() as *const c_void,
                    v[2].as_ptr() as *const c_void,
                    n,
                    lg,
                    z.as_ptr() as *const c_void,
                )
            })?;
            Ok(out)
        }),
    )
}

/// 1/Z on the coset of the generator for a domain of m, Z = g^m - 1 (constant there), canonical bytes.
pub(crate) fn coset_zinv(m: usize) -> [u8; FR_BYTES] {
    let g = fr::fr_from_u64(crate::ntt::GENERATOR);
    let zinv = fr::inverse(&fr::sub(&fr::pow(&g, m as u64), &fr::fr_one()));
    let mut z = [0u8; FR_BYTES];
    fr::fr_to_le(&zinv, &mut z);
    z
}

/// The scalars a streamed table's MSM reads (split::kept: those the density map keeps, 32 bytes each),
/// so that it is tested without a GPU.
#[napi(js_name = "cudaKept", ts_return_type = "Promise<Buffer>")]
pub fn cuda_kept(
    #[napi(ts_arg_type = "Uint8Array | CompactWitness")] scalars: crate::ScalarArg,
    density: Option<Uint8Array>,
) -> AsyncTask<Job> {
    crate::scalar_job(scalars, density, |sc, d| {
        Ok(crate::split::kept(sc, d)?.into_owned())
    })
}

const EMPTY_DEVICE: Device = Device {
    name: [0; 96],
    major: 0,
    minor: 0,
    sm_count: 0,
    total_mem: 0,
    free_mem: 0,
};

fn cstr(b: &[c_char]) -> String {
    unsafe { CStr::from_ptr(b.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// What the addon can drive: compiled with CUDA, the devices found, or why there are none.
#[napi(js_name = "cudaInfo")]
pub fn cuda_info() -> CudaInfo {
    let l = list_devices();
    let s = l.status;
    CudaInfo {
        compiled: true,
        archs: env!("C2_CUDA_ARCHS_BUILT").into(),
        runtime_version: l.runtime,
        driver_version: l.driver,
        devices: l
            .devices
            .iter()
            .map(|d| CudaDevice {
                name: cstr(&d.name),
                compute: format!("{}.{}", d.major, d.minor),
                sm_count: d.sm_count as u32,
                total_mem: d.total_mem as f64,
                free_mem: d.free_mem as f64,
            })
            .collect(),
        error: if s.code == 0 {
            None
        } else {
            Some(format!("CUDA error {}: {}", s.code, message(&s)))
        },
    }
}
