//! The CUDA backend's napi surface (feature `cuda`): device discovery, point tables mirrored in GPU
//! memory, MSMs split as the CPU's are (zeros skipped, ones summed, the rest through Pippenger) but run
//! by our glue over sppark (cuda/*.cu), and the NTT and quotient on sppark's NTT. Every GPU call holds
//! one lock: sppark's per-device streams are shared, and one proof at a time saturates a GPU anyway.
//! A GPU failure rejects with a message starting "CUDA error" (the TS backend maps it to C2_GPU_FAILED);
//! a bad input rejects as it does on the CPU.

use crate::curve::{Curve, G1, G2};
use crate::fr::{self, FR_BYTES};
use crate::{append_points, job, CudaDevice, CudaInfo, Job, NttDirection, Store, TableStore};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use rayon::prelude::*;
use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
// links sppark's device list (select_gpu, all_gpus.cpp) that our glue calls; nothing Rust of it is used
extern crate sppark;

#[repr(C)]
struct CStatus {
    code: i32,
    message: [c_char; 480],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Device {
    name: [c_char; 96],
    major: i32,
    minor: i32,
    sm_count: i32,
    total_mem: u64,
    free_mem: u64,
}

extern "C" {
    fn c2_cuda_devices(
        out: *mut Device,
        cap: i32,
        count: *mut i32,
        runtime: *mut i32,
        driver: *mut i32,
    ) -> CStatus;
    fn c2_g1_table_new(capacity: usize, table: *mut *mut c_void) -> CStatus;
    fn c2_g1_table_upload(table: *mut c_void, at: usize, affines: *const c_void, n: usize)
        -> CStatus;
    fn c2_g1_table_free(table: *mut c_void);
    fn c2_g2_table_new(capacity: usize, table: *mut *mut c_void) -> CStatus;
    fn c2_g2_table_upload(table: *mut c_void, at: usize, affines: *const c_void, n: usize)
        -> CStatus;
    fn c2_g2_table_free(table: *mut c_void);
    #[allow(clippy::too_many_arguments)]
    fn c2_g1_msm(
        table: *mut c_void,
        start: usize,
        span: usize,
        ones: *const u32,
        rest_idx: *const u32,
        rest_scalars: *const c_void,
        nrest: usize,
        out: *mut c_void,
    ) -> CStatus;
    #[allow(clippy::too_many_arguments)]
    fn c2_g2_msm(
        table: *mut c_void,
        start: usize,
        span: usize,
        ones: *const u32,
        rest_idx: *const u32,
        rest_scalars: *const c_void,
        nrest: usize,
        out: *mut c_void,
    ) -> CStatus;
    fn c2_g1_msm_host(affines: *const c_void, scalars: *const c_void, n: usize, out: *mut c_void)
        -> CStatus;
    fn c2_g2_msm_host(affines: *const c_void, scalars: *const c_void, n: usize, out: *mut c_void)
        -> CStatus;
    fn c2_ntt(values: *mut c_void, lg: u32, inverse: i32, coset: i32) -> CStatus;
    #[allow(clippy::too_many_arguments)]
    fn c2_quotient(
        out: *mut c_void,
        nout: usize,
        a: *const c_void,
        b: *const c_void,
        c: *const c_void,
        n: usize,
        lg: u32,
        zinv: *const c_void,
    ) -> CStatus;
}

/// cudaErrorMemoryAllocation, negated as the glue reports CUDA codes.
const OUT_OF_MEMORY: i32 = -2;
const MAX_DEVICES: usize = 16;
/// sppark's MAX_LG_DOMAIN_SIZE for BLS12-381.
const MAX_LG: u32 = 28;

static GPU: Mutex<()> = Mutex::new(());

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

fn lock() -> std::sync::MutexGuard<'static, ()> {
    // a panic while holding it leaves nothing half-done on our side: the lock only orders GPU calls
    GPU.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the glue exports for one group.
trait GpuCurve: Curve {
    unsafe fn table_new(capacity: usize, t: *mut *mut c_void) -> CStatus;
    unsafe fn table_upload(t: *mut c_void, at: usize, a: *const c_void, n: usize) -> CStatus;
    unsafe fn table_free(t: *mut c_void);
    #[allow(clippy::too_many_arguments)]
    unsafe fn msm(
        t: *mut c_void,
        start: usize,
        span: usize,
        ones: *const u32,
        idx: *const u32,
        sc: *const c_void,
        n: usize,
        out: *mut c_void,
    ) -> CStatus;
    unsafe fn msm_host(a: *const c_void, s: *const c_void, n: usize, out: *mut c_void) -> CStatus;
}

macro_rules! gpu_curve {
    ($t:ty, $new:ident, $up:ident, $free:ident, $msm:ident, $host:ident) => {
        impl GpuCurve for $t {
            unsafe fn table_new(capacity: usize, t: *mut *mut c_void) -> CStatus {
                $new(capacity, t)
            }
            unsafe fn table_upload(t: *mut c_void, at: usize, a: *const c_void, n: usize) -> CStatus {
                $up(t, at, a, n)
            }
            unsafe fn table_free(t: *mut c_void) {
                $free(t)
            }
            unsafe fn msm(
                t: *mut c_void,
                start: usize,
                span: usize,
                ones: *const u32,
                idx: *const u32,
                sc: *const c_void,
                n: usize,
                out: *mut c_void,
            ) -> CStatus {
                $msm(t, start, span, ones, idx, sc, n, out)
            }
            unsafe fn msm_host(
                a: *const c_void,
                s: *const c_void,
                n: usize,
                out: *mut c_void,
            ) -> CStatus {
                $host(a, s, n, out)
            }
        }
    };
}
gpu_curve!(G1, c2_g1_table_new, c2_g1_table_upload, c2_g1_table_free, c2_g1_msm, c2_g1_msm_host);
gpu_curve!(G2, c2_g2_table_new, c2_g2_table_upload, c2_g2_table_free, c2_g2_msm, c2_g2_msm_host);

/// The GPU's copy of a table: allocated and filled on the first MSM, topped up with points appended
/// since; `streamed` says why there is none (it did not fit) and MSMs stream the host copy instead.
struct Mirror {
    handle: usize,
    capacity: usize,
    uploaded: usize,
    streamed: Option<String>,
}

struct GpuStore<C: Curve> {
    host: Store<C>,
    mirror: Mutex<Mirror>,
    capacity: usize,
    /// the group's table_free, for Drop (which cannot ask for GpuCurve)
    free: unsafe fn(*mut c_void),
}

impl<C: GpuCurve> GpuStore<C> {
    fn new(capacity: usize) -> Arc<Self> {
        Arc::new(GpuStore {
            host: TableStore::new(capacity),
            mirror: Mutex::new(Mirror {
                handle: 0,
                capacity: 0,
                uploaded: 0,
                streamed: None,
            }),
            capacity,
            free: C::table_free,
        })
    }

    fn release(&self) {
        let mut m = self.mirror.lock().unwrap_or_else(|p| p.into_inner());
        if m.handle != 0 {
            let _g = lock();
            unsafe { C::table_free(m.handle as *mut c_void) };
        }
        *m = Mirror {
            handle: 0,
            capacity: 0,
            uploaded: 0,
            streamed: None,
        };
    }

    /// Brings the GPU copy up to the host's points (GPU lock held by the caller); false when the table
    /// does not fit and is streamed.
    fn sync(&self, m: &mut Mirror, pts: &[C::Affine]) -> std::result::Result<bool, String> {
        if m.streamed.is_some() {
            return Ok(false);
        }
        if m.handle != 0 && pts.len() > m.capacity {
            // appended past the capacity it was made with: start over at the new size
            unsafe { C::table_free(m.handle as *mut c_void) };
            m.handle = 0;
        }
        if m.handle == 0 {
            let cap = self.capacity.max(pts.len());
            let mut h: *mut c_void = std::ptr::null_mut();
            let s = unsafe { C::table_new(cap, &mut h) };
            if s.code == OUT_OF_MEMORY {
                m.streamed = Some(message(&s));
                return Ok(false);
            }
            check(s)?;
            m.handle = h as usize;
            m.capacity = cap;
            m.uploaded = 0;
        }
        if pts.len() > m.uploaded {
            let at = m.uploaded;
            check(unsafe {
                C::table_upload(
                    m.handle as *mut c_void,
                    at,
                    pts[at..].as_ptr() as *const c_void,
                    pts.len() - at,
                )
            })?;
            m.uploaded = pts.len();
        }
        Ok(true)
    }
}

impl<C: Curve> Drop for GpuStore<C> {
    fn drop(&mut self) {
        let free = self.free;
        let m = self.mirror.get_mut().unwrap_or_else(|p| p.into_inner());
        if m.handle != 0 {
            let _g = lock();
            unsafe { free(m.handle as *mut c_void) };
            m.handle = 0;
        }
    }
}

/// The scalars of one MSM sorted as the GPU takes them, positions relative to `start`.
struct Split {
    span: usize,
    ones: Vec<u32>,
    any_one: bool,
    rest_idx: Vec<u32>,
    rest_scalars: Vec<u8>,
    /// every kept scalar in order, for the streamed form
    kept: Vec<u8>,
}

const BLOCK: usize = 1 << 14;

fn classify(s: &[u8]) -> u8 {
    let w0 = u64::from_le_bytes(s[0..8].try_into().unwrap());
    if s[8..32].iter().any(|&b| b != 0) {
        2
    } else {
        (w0.min(2)) as u8
    }
}

fn split(
    scalars: &[u8],
    density: Option<&[u8]>,
    keep_all: bool,
) -> std::result::Result<Split, String> {
    if scalars.len() % FR_BYTES != 0 {
        return Err(format!(
            "msm: scalar bytes {} not a multiple of {FR_BYTES}",
            scalars.len()
        ));
    }
    let n = scalars.len() / FR_BYTES;
    if let Some(d) = density {
        if d.len() != n {
            return Err(format!(
                "msm: density map has {} entries for {n} scalars",
                d.len()
            ));
        }
    }
    let nblocks = n.div_ceil(BLOCK);
    let counts: Vec<usize> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            match density {
                None => hi - lo,
                Some(d) => d[lo..hi].iter().filter(|&&x| x != 0).count(),
            }
        })
        .collect();
    let mut offsets = Vec::with_capacity(nblocks);
    let mut span = 0usize;
    for c in &counts {
        offsets.push(span);
        span += c;
    }
    if span >= 1 << 32 {
        return Err(format!("msm: {span} bases is past the GPU glue's 2^32"));
    }
    type Part = (Option<usize>, Vec<u32>, Vec<u32>, Vec<u8>);
    let parts: Vec<Part> = (0..nblocks)
        .into_par_iter()
        .map(|b| {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let mut k = offsets[b];
            let (mut bad, mut ones, mut idx, mut sc) = (None, Vec::new(), Vec::new(), Vec::new());
            for i in lo..hi {
                if density.is_some_and(|d| d[i] == 0) {
                    continue;
                }
                let s = &scalars[i * FR_BYTES..(i + 1) * FR_BYTES];
                if s[FR_BYTES - 1] & 0x80 != 0 && bad.is_none() {
                    bad = Some(i);
                }
                match classify(s) {
                    0 => {}
                    1 => ones.push(k as u32),
                    _ => {
                        idx.push(k as u32);
                        sc.extend_from_slice(s);
                    }
                }
                k += 1;
            }
            (bad, ones, idx, sc)
        })
        .collect();
    if let Some(i) = parts.iter().find_map(|p| p.0) {
        return Err(format!("msm: scalar {i} is not reduced modulo r"));
    }
    let mut bitmap = vec![0u32; span.div_ceil(32)];
    let mut any_one = false;
    for p in &parts {
        for &k in &p.1 {
            bitmap[(k / 32) as usize] |= 1 << (k % 32);
            any_one = true;
        }
    }
    let nrest: usize = parts.iter().map(|p| p.2.len()).sum();
    let mut rest_idx = Vec::with_capacity(nrest);
    let mut rest_scalars = Vec::with_capacity(nrest * FR_BYTES);
    for p in &parts {
        rest_idx.extend_from_slice(&p.2);
        rest_scalars.extend_from_slice(&p.3);
    }
    let kept = if !keep_all {
        Vec::new()
    } else if let Some(d) = density {
        let mut v = Vec::with_capacity(span * FR_BYTES);
        for (i, s) in scalars.chunks_exact(FR_BYTES).enumerate() {
            if d[i] != 0 {
                v.extend_from_slice(s);
            }
        }
        v
    } else {
        scalars.to_vec()
    };
    Ok(Split {
        span,
        ones: bitmap,
        any_one,
        rest_idx,
        rest_scalars,
        kept,
    })
}

fn msm_gpu<C: GpuCurve>(
    store: &GpuStore<C>,
    start: usize,
    scalars: &[u8],
    density: Option<&[u8]>,
) -> std::result::Result<Vec<u8>, String> {
    let pts = store.host.read().map_err(|_| "table lock poisoned")?;
    let mut m = store.mirror.lock().map_err(|_| "table lock poisoned")?;
    let streamed = m.streamed.is_some();
    let s = split(scalars, density, streamed)?;
    if s.span > 0 && (start > pts.len() || s.span > pts.len() - start) {
        return Err(format!(
            "msm: needs bases [{start}, {}) but the table holds {}",
            start + s.span,
            pts.len()
        ));
    }
    let mut out = C::Proj::default();
    if s.span == 0 {
        return Ok(C::proj_to_bytes(&out));
    }
    let _g = lock();
    if store.sync(&mut m, &pts)? {
        check(unsafe {
            C::msm(
                m.handle as *mut c_void,
                start,
                s.span,
                if s.any_one {
                    s.ones.as_ptr()
                } else {
                    std::ptr::null()
                },
                s.rest_idx.as_ptr(),
                s.rest_scalars.as_ptr() as *const c_void,
                s.rest_idx.len(),
                &mut out as *mut C::Proj as *mut c_void,
            )
        })?;
    } else {
        // the table became streamed during sync: the split did not keep every scalar
        let s = if s.kept.is_empty() {
            split(scalars, density, true)?
        } else {
            s
        };
        check(unsafe {
            C::msm_host(
                pts[start..].as_ptr() as *const c_void,
                s.kept.as_ptr() as *const c_void,
                s.span,
                &mut out as *mut C::Proj as *mut c_void,
            )
        })?;
    }
    Ok(C::proj_to_bytes(&out))
}

#[derive(Clone)]
enum Tab {
    G1(Arc<GpuStore<G1>>),
    G2(Arc<GpuStore<G2>>),
}

/// A point table whose points live on the GPU between proofs (and on the host, where they are decoded
/// and checked, and whence they are streamed when the GPU cannot hold them).
#[napi]
pub struct CudaTable {
    tab: Tab,
}

#[napi]
impl CudaTable {
    #[napi(constructor)]
    pub fn new(group: String, capacity: u32) -> Result<Self> {
        let tab = match group.as_str() {
            "g1" => Tab::G1(GpuStore::new(capacity as usize)),
            "g2" => Tab::G2(GpuStore::new(capacity as usize)),
            _ => {
                return Err(Error::new(
                    Status::InvalidArg,
                    format!("unknown group {group:?}"),
                ))
            }
        };
        Ok(CudaTable { tab })
    }

    #[napi(getter)]
    pub fn group(&self) -> String {
        match self.tab {
            Tab::G1(_) => "g1".into(),
            Tab::G2(_) => "g2".into(),
        }
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        match &self.tab {
            Tab::G1(s) => s.host.len.load(Ordering::Acquire) as u32,
            Tab::G2(s) => s.host.len.load(Ordering::Acquire) as u32,
        }
    }

    /// Why the table is streamed from host memory, once an MSM found it does not fit; null otherwise.
    #[napi(getter)]
    pub fn streamed(&self) -> Option<String> {
        let m = match &self.tab {
            Tab::G1(s) => s.mirror.lock().ok()?.streamed.clone(),
            Tab::G2(s) => s.mirror.lock().ok()?.streamed.clone(),
        };
        m
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn append(&self, bytes: Uint8Array, validate: bool) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        job(
            vec![bytes],
            vec![],
            Box::new(move |b, _| {
                match &tab {
                    Tab::G1(s) => append_points::<G1>(&s.host, &b[0], validate)?,
                    Tab::G2(s) => append_points::<G2>(&s.host, &b[0], validate)?,
                }
                Ok(Vec::new())
            }),
        )
    }

    /// Appends the table's own points again until it holds `times` times as many (benchmarks: bases of
    /// a 32GiB size without decoding a billion points; an MSM's cost does not depend on which they are).
    #[napi]
    pub fn tile(&self, times: u32) -> Result<()> {
        fn rep<C: GpuCurve>(s: &GpuStore<C>, times: usize) -> std::result::Result<(), String> {
            let mut v = s.host.write().map_err(|_| "table lock poisoned")?;
            let n = v.len();
            v.reserve(n * times.saturating_sub(1));
            for _ in 1..times {
                v.extend_from_within(..n);
            }
            s.host.len.store(v.len(), Ordering::Release);
            Ok(())
        }
        match &self.tab {
            Tab::G1(s) => rep(s, times as usize),
            Tab::G2(s) => rep(s, times as usize),
        }
        .map_err(|e| Error::new(Status::InvalidArg, e))
    }

    /// Frees the GPU copy and the host points now.
    #[napi]
    pub fn free(&self) {
        fn clear<C: GpuCurve>(s: &GpuStore<C>) {
            s.release();
            if let Ok(mut v) = s.host.write() {
                *v = Vec::new();
                s.host.len.store(0, Ordering::Release);
            }
        }
        match &self.tab {
            Tab::G1(s) => clear(s),
            Tab::G2(s) => clear(s),
        }
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn msm(
        &self,
        start: u32,
        scalars: Uint8Array,
        density: Option<Uint8Array>,
    ) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        let has_density = density.is_some();
        let mut bufs = vec![scalars];
        if let Some(d) = density {
            bufs.push(d);
        }
        job(
            bufs,
            vec![],
            Box::new(move |b, _| {
                let d = if has_density { Some(&b[1][..]) } else { None };
                match &tab {
                    Tab::G1(s) => msm_gpu::<G1>(s, start as usize, &b[0], d),
                    Tab::G2(s) => msm_gpu::<G2>(s, start as usize, &b[0], d),
                }
            }),
        )
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

fn log2_exact(n: usize) -> std::result::Result<u32, String> {
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
            let _g = lock();
            check(unsafe {
                c2_ntt(
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
            if v[0].len() != v[1].len() || v[0].len() != v[2].len() {
                return Err(format!(
                    "quotient: a, b, c differ in length ({}, {}, {})",
                    v[0].len(),
                    v[1].len(),
                    v[2].len()
                ));
            }
            for (x, what) in v.iter().zip(["quotient a", "quotient b", "quotient c"]) {
                check_canonical(x, what)?;
            }
            let n = v[0].len() / FR_BYTES;
            let m = n.max(1).next_power_of_two();
            let lg = log2_exact(m)?;
            let g = fr::fr_from_u64(crate::ntt::GENERATOR);
            let zinv = fr::inverse(&fr::sub(&fr::pow(&g, m as u64), &fr::fr_one()));
            let mut z = [0u8; FR_BYTES];
            fr::fr_to_le(&zinv, &mut z);
            let mut out = vec![0u8; (m - 1) * FR_BYTES];
            let _g = lock();
            check(unsafe {
                c2_quotient(
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

fn cstr(b: &[c_char]) -> String {
    unsafe { CStr::from_ptr(b.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// What the addon can drive: compiled with CUDA, the devices found, or why there are none.
#[napi(js_name = "cudaInfo")]
pub fn cuda_info() -> CudaInfo {
    let mut devs = [Device {
        name: [0; 96],
        major: 0,
        minor: 0,
        sm_count: 0,
        total_mem: 0,
        free_mem: 0,
    }; MAX_DEVICES];
    let (mut count, mut runtime, mut driver) = (0i32, 0i32, 0i32);
    let s = {
        let _g = lock();
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
    CudaInfo {
        compiled: true,
        archs: env!("C2_CUDA_ARCHS_BUILT").into(),
        runtime_version: runtime,
        driver_version: driver,
        devices: devs[..count.max(0) as usize]
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
