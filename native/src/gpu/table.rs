//! Point tables mirrored in GPU memory, one copy on each device, and the MSMs over them (napi class
//! CudaTable).

use super::ffi::GpuCurve;
use super::{check, device_count, lock, message, Lease, OUT_OF_MEMORY};
use crate::curve::{Curve, G1, G2};
use crate::msm::scalar_count;
use crate::scalars::Scalars;
use crate::split::{kept, split};
use crate::{append_points, job, scalar_job, Job, Store, TableStore};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One GPU's copy of a table: allocated and filled on the first MSM there, topped up with points appended
/// since; `streamed` says why there is none (it did not fit) and MSMs there stream the host copy instead.
struct Mirror {
    handle: usize,
    capacity: usize,
    uploaded: usize,
    streamed: Option<String>,
}

impl Mirror {
    const EMPTY: Mirror = Mirror {
        handle: 0,
        capacity: 0,
        uploaded: 0,
        streamed: None,
    };
}

pub(crate) struct GpuStore<C: Curve> {
    host: Store<C>,
    /// by device index
    mirrors: Vec<Mutex<Mirror>>,
    capacity: usize,
    /// every point is on every GPU and the host copy is gone (seal): appends are refused, `host.len`
    /// still counts the points
    sealed: AtomicBool,
    /// the group's table_free, for Drop (which cannot ask for GpuCurve)
    free: unsafe fn(*mut c_void),
}

impl<C: GpuCurve> GpuStore<C> {
    fn new(capacity: usize) -> Arc<Self> {
        Arc::new(GpuStore {
            host: TableStore::new(capacity),
            mirrors: (0..device_count())
                .map(|_| Mutex::new(Mirror::EMPTY))
                .collect(),
            capacity,
            sealed: AtomicBool::new(false),
            free: C::table_free,
        })
    }

    /// Uploads every point to every GPU and frees the host copy (GPU memory then holds the only ones); a
    /// table some GPU cannot hold keeps it, to be streamed there. True when resident on all.
    fn seal(&self) -> std::result::Result<bool, String> {
        let mut pts = self.host.write().map_err(|_| "table lock poisoned")?;
        if self.sealed.load(Ordering::Acquire) {
            return Ok(true);
        }
        let mut resident = true;
        for (device, mirror) in self.mirrors.iter().enumerate() {
            let mut m = mirror.lock().map_err(|_| "table lock poisoned")?;
            let _g = lock(device);
            resident &= self.sync(device, &mut m, &pts)?;
        }
        if resident {
            *pts = Vec::new();
            self.sealed.store(true, Ordering::Release);
        }
        Ok(resident)
    }

    fn refuse_sealed(&self, what: &str) -> std::result::Result<(), String> {
        if self.sealed.load(Ordering::Acquire) {
            return Err(format!(
                "{what}: the table is sealed (its points are on the GPU only)"
            ));
        }
        Ok(())
    }

    fn release(&self) {
        for (device, mirror) in self.mirrors.iter().enumerate() {
            let mut m = mirror.lock().unwrap_or_else(|p| p.into_inner());
            if m.handle != 0 {
                let _g = lock(device);
                unsafe { C::table_free(m.handle as *mut c_void) };
            }
            *m = Mirror::EMPTY;
        }
    }

    /// Brings a device's copy up to the host's points (that device's lock held by the caller); false when
    /// the table does not fit there and is streamed.
    fn sync(
        &self,
        device: usize,
        m: &mut Mirror,
        pts: &[C::Affine],
    ) -> std::result::Result<bool, String> {
        if m.streamed.is_some() {
            return Ok(false);
        }
        if self.sealed.load(Ordering::Acquire) {
            // uploaded whole when sealed; the host holds nothing to add
            return Ok(m.handle != 0);
        }
        if m.handle != 0 && pts.len() > m.capacity {
            // appended past the capacity it was made with: start over at the new size
            unsafe { C::table_free(m.handle as *mut c_void) };
            m.handle = 0;
        }
        if m.handle == 0 {
            let cap = self.capacity.max(pts.len());
            let mut h: *mut c_void = std::ptr::null_mut();
            let s = unsafe { C::table_new(device as i32, cap, &mut h) };
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

impl<C: GpuCurve> GpuStore<C> {
    /// Refuses an MSM over bases [start, start + span) where the table holds fewer. The count, not the
    /// host copy: a sealed table's points are on the GPU only.
    pub(crate) fn holds(&self, start: usize, span: usize) -> std::result::Result<(), String> {
        let len = self.host.len.load(Ordering::Acquire);
        if span > 0 && (start > len || span > len - start) {
            return Err(format!(
                "msm: needs bases [{start}, {}) but the table holds {len}",
                start + span
            ));
        }
        Ok(())
    }

    /// `f` with this table's copy on the lease's device brought up to date, under that device's lock:
    /// `Some(handle)`, or `None` and the host points where the table is streamed there. Its first `need`
    /// bases must exist.
    pub(crate) fn on_device<T>(
        &self,
        lease: &Lease,
        need: usize,
        f: impl FnOnce(Option<*mut c_void>, &[C::Affine]) -> std::result::Result<T, String>,
    ) -> std::result::Result<T, String> {
        let pts = self.host.read().map_err(|_| "table lock poisoned")?;
        let mut m = self.mirrors[lease.device]
            .lock()
            .map_err(|_| "table lock poisoned")?;
        self.holds(0, need)?;
        let _g = lease.lock();
        let resident = self.sync(lease.device, &mut m, &pts)?;
        f(resident.then_some(m.handle as *mut c_void), &pts)
    }
}

impl<C: Curve> Drop for GpuStore<C> {
    fn drop(&mut self) {
        let free = self.free;
        for (device, mirror) in self.mirrors.iter_mut().enumerate() {
            let m = mirror.get_mut().unwrap_or_else(|p| p.into_inner());
            if m.handle != 0 {
                let _g = lock(device);
                unsafe { free(m.handle as *mut c_void) };
                m.handle = 0;
            }
        }
    }
}

fn msm_gpu<C: GpuCurve>(
    store: &GpuStore<C>,
    start: usize,
    scalars: &Scalars,
    density: Option<&[u8]>,
) -> std::result::Result<Vec<u8>, String> {
    let pts = store.host.read().map_err(|_| "table lock poisoned")?;
    let lease = Lease::take();
    let mut m = store.mirrors[lease.device]
        .lock()
        .map_err(|_| "table lock poisoned")?;
    // a streamed table takes every kept scalar as it is: no split (which would be redone after sync)
    let streamed = m.streamed.is_some();
    let s = if streamed {
        None
    } else {
        Some(split(scalars, density)?)
    };
    let span = match &s {
        Some(s) => s.span,
        None => scalar_count(scalars, density)?,
    };
    store.holds(start, span)?;
    let mut out = C::Proj::default();
    if span == 0 {
        return Ok(C::proj_to_bytes(&out));
    }
    let _g = lease.lock();
    match (store.sync(lease.device, &mut m, &pts)?, &s) {
        (true, Some(s)) => {
            // a dense split is the caller's scalars with no positions: the glue reads bases start + i
            let (ones, idx, rest, nrest) = if let (true, Scalars::Bytes(b)) = (s.dense, scalars) {
                (std::ptr::null(), std::ptr::null(), b.as_ptr(), s.span)
            } else {
                (
                    if s.ones.is_empty() {
                        std::ptr::null()
                    } else {
                        s.ones.as_ptr()
                    },
                    s.rest_idx.as_ptr(),
                    s.rest_scalars.as_ptr(),
                    s.rest_idx.len(),
                )
            };
            check(unsafe {
                C::msm(
                    m.handle as *mut c_void,
                    start,
                    s.span,
                    ones,
                    idx,
                    rest as *const c_void,
                    nrest,
                    &mut out as *mut C::Proj as *mut c_void,
                )
            })?;
        }
        _ => {
            // streamed, or the table became so during sync
            let kept = kept(scalars, density)?;
            check(unsafe {
                C::msm_host(
                    lease.device as i32,
                    pts[start..].as_ptr() as *const c_void,
                    kept.as_ptr() as *const c_void,
                    span,
                    &mut out as *mut C::Proj as *mut c_void,
                )
            })?;
        }
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

    /// Why the table is streamed from host memory (on some GPU), once an MSM or seal found it does not
    /// fit there; null otherwise.
    #[napi(getter)]
    pub fn streamed(&self) -> Option<String> {
        fn why<C: Curve>(s: &GpuStore<C>) -> Option<String> {
            s.mirrors.iter().enumerate().find_map(|(d, m)| {
                m.lock()
                    .ok()?
                    .streamed
                    .clone()
                    .map(|w| format!("GPU {d}: {w}"))
            })
        }
        match &self.tab {
            Tab::G1(s) => why(s),
            Tab::G2(s) => why(s),
        }
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn append(&self, bytes: Uint8Array, validate: bool) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        job(
            vec![bytes],
            vec![],
            Box::new(move |b, _| {
                match &tab {
                    Tab::G1(s) => {
                        s.refuse_sealed("append")?;
                        append_points::<G1>(&s.host, &b[0], validate)?
                    }
                    Tab::G2(s) => {
                        s.refuse_sealed("append")?;
                        append_points::<G2>(&s.host, &b[0], validate)?
                    }
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
            s.refuse_sealed("tile")?;
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

    /// Every point to the GPU now, and the host copy freed: the table's points then take GPU memory only
    /// (a 32GiB file's ~44 GiB). Resolves to [1] when resident, [0] when the table did not fit and keeps
    /// its host copy, streamed by each MSM. Later appends are refused.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn seal(&self) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        job(
            vec![],
            vec![],
            Box::new(move |_, _| {
                let resident = match &tab {
                    Tab::G1(s) => s.seal()?,
                    Tab::G2(s) => s.seal()?,
                };
                Ok(vec![resident as u8])
            }),
        )
    }

    /// The G1 store behind the table: the h query's, which a quotient sums H over on the GPU.
    pub(crate) fn g1_store(&self) -> std::result::Result<Arc<GpuStore<G1>>, String> {
        match &self.tab {
            Tab::G1(s) => Ok(s.clone()),
            Tab::G2(_) => Err("the h query is a g1 table, not g2".into()),
        }
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
        #[napi(ts_arg_type = "Uint8Array | CompactWitness")] scalars: crate::ScalarArg,
        density: Option<Uint8Array>,
    ) -> AsyncTask<Job> {
        let tab = self.tab.clone();
        scalar_job(scalars, density, move |sc, d| match &tab {
            Tab::G1(s) => msm_gpu::<G1>(s, start as usize, sc, d),
            Tab::G2(s) => msm_gpu::<G2>(s, start as usize, sc, d),
        })
    }
}
