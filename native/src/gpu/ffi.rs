//! Our CUDA glue's C surface (native/cuda/c2cuda.h) as Rust sees it, and the one trait that names a
//! group's table and MSM entry points so the table code is written once.

use crate::curve::{Curve, G1, G2};
use std::ffi::{c_char, c_void};

#[repr(C)]
pub struct CStatus {
    pub code: i32,
    pub message: [c_char; 480],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Device {
    pub name: [c_char; 96],
    pub major: i32,
    pub minor: i32,
    pub sm_count: i32,
    pub total_mem: u64,
    pub free_mem: u64,
}

extern "C" {
    pub fn c2_cuda_devices(
        out: *mut Device,
        cap: i32,
        count: *mut i32,
        runtime: *mut i32,
        driver: *mut i32,
    ) -> CStatus;
    pub fn c2_g1_table_new(device: i32, capacity: usize, table: *mut *mut c_void) -> CStatus;
    pub fn c2_g1_table_upload(
        table: *mut c_void,
        at: usize,
        affines: *const c_void,
        n: usize,
    ) -> CStatus;
    pub fn c2_g1_table_free(table: *mut c_void);
    pub fn c2_g2_table_new(device: i32, capacity: usize, table: *mut *mut c_void) -> CStatus;
    pub fn c2_g2_table_upload(
        table: *mut c_void,
        at: usize,
        affines: *const c_void,
        n: usize,
    ) -> CStatus;
    pub fn c2_g2_table_free(table: *mut c_void);
    #[allow(clippy::too_many_arguments)]
    pub fn c2_g1_msm(
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
    pub fn c2_g2_msm(
        table: *mut c_void,
        start: usize,
        span: usize,
        ones: *const u32,
        rest_idx: *const u32,
        rest_scalars: *const c_void,
        nrest: usize,
        out: *mut c_void,
    ) -> CStatus;
    pub fn c2_g1_msm_host(
        device: i32,
        affines: *const c_void,
        scalars: *const c_void,
        n: usize,
        out: *mut c_void,
    ) -> CStatus;
    pub fn c2_g2_msm_host(
        device: i32,
        affines: *const c_void,
        scalars: *const c_void,
        n: usize,
        out: *mut c_void,
    ) -> CStatus;
    pub fn c2_ntt(device: i32, values: *mut c_void, lg: u32, inverse: i32, coset: i32) -> CStatus;
    #[allow(clippy::too_many_arguments)]
    pub fn c2_quotient(
        device: i32,
        out: *mut c_void,
        nout: usize,
        a: *const c_void,
        b: *const c_void,
        c: *const c_void,
        n: usize,
        lg: u32,
        zinv: *const c_void,
    ) -> CStatus;
    pub fn c2_r1cs_new(
        device: i32,
        mats: *const CCsr,
        rows: usize,
        reserve: usize,
        out: *mut *mut c_void,
    ) -> CStatus;
    pub fn c2_r1cs_free(r1cs: *mut c_void);
    #[allow(clippy::too_many_arguments)]
    pub fn c2_quotient_r1cs(
        device: i32,
        out: *mut c_void,
        nout: usize,
        mats: *const CCsr,
        resident: *const c_void,
        rows: usize,
        witness: *const CWitness,
        lg: u32,
        zinv: *const c_void,
        h_table: *mut c_void,
        h_sum: *mut c_void,
    ) -> CStatus;
}

/// c2_witness: a witness's code (witness_code.rs), split into its groups and its general values.
#[repr(C)]
pub struct CWitness {
    pub groups: *const u32,
    pub values: *const c_void,
    pub nvars: usize,
    pub ninputs: usize,
    pub ngeneral: usize,
}

/// c2_csr: one matrix of an R1CS, the caller's arrays as they are.
#[repr(C)]
pub struct CCsr {
    pub row_ptr: *const u32,
    pub cols: *const u32,
    pub coeff_ids: *const u32,
    pub coeffs: *const c_void,
    pub ncoeffs: usize,
}

/// What the glue exports for one group.
pub trait GpuCurve: Curve {
    unsafe fn table_new(device: i32, capacity: usize, t: *mut *mut c_void) -> CStatus;
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
    unsafe fn msm_host(
        device: i32,
        a: *const c_void,
        s: *const c_void,
        n: usize,
        out: *mut c_void,
    ) -> CStatus;
}

macro_rules! gpu_curve {
    ($t:ty, $new:ident, $up:ident, $free:ident, $msm:ident, $host:ident) => {
        impl GpuCurve for $t {
            unsafe fn table_new(device: i32, capacity: usize, t: *mut *mut c_void) -> CStatus {
                $new(device, capacity, t)
            }
            unsafe fn table_upload(
                t: *mut c_void,
                at: usize,
                a: *const c_void,
                n: usize,
            ) -> CStatus {
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
                device: i32,
                a: *const c_void,
                s: *const c_void,
                n: usize,
                out: *mut c_void,
            ) -> CStatus {
                $host(device, a, s, n, out)
            }
        }
    };
}
gpu_curve!(
    G1,
    c2_g1_table_new,
    c2_g1_table_upload,
    c2_g1_table_free,
    c2_g1_msm,
    c2_g1_msm_host
);
gpu_curve!(
    G2,
    c2_g2_table_new,
    c2_g2_table_upload,
    c2_g2_table_free,
    c2_g2_msm,
    c2_g2_msm_host
);
