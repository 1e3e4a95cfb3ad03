//! G1 and G2 behind one trait so the MSM, fixed-base and table code is written once. Every group
//! operation is blst's; this file only names them.

use blst::*;
use std::ptr;

pub trait Curve: 'static {
    type Affine: Copy + Default + Send + Sync;
    type Proj: Copy + Default + Send + Sync;
    /// Uncompressed encoding size.
    const BYTES: usize;
    const NAME: &'static str;

    /// Decodes an uncompressed point and checks it is on the curve (blst always does).
    fn deserialize(bytes: &[u8]) -> Result<Self::Affine, BLST_ERROR>;
    fn in_group(a: &Self::Affine) -> bool;
    fn is_inf_affine(a: &Self::Affine) -> bool;
    /// Uncompressed encoding; the identity is 0x40 followed by zeros.
    fn serialize(a: &Self::Affine, out: &mut [u8]);
    fn from_affine(a: &Self::Affine) -> Self::Proj;
    fn to_affine(p: &Self::Proj) -> Self::Affine;
    /// a + b, correct when a == b or either is the identity.
    fn add(a: &Self::Proj, b: &Self::Proj) -> Self::Proj;
    /// a + b with b affine, correct when a == b or either is the identity.
    fn add_affine(a: &Self::Proj, b: &Self::Affine) -> Self::Proj;
    fn double(a: &Self::Proj) -> Self::Proj;
    /// p * scalar for a little-endian scalar of `nbits` bits.
    fn mult(p: &Self::Proj, scalar: &[u8], nbits: usize) -> Self::Proj;
    fn neg_affine(a: &Self::Affine) -> Self::Affine;
    /// Batch normalisation of a contiguous slice (identities allowed).
    fn to_affines(dst: &mut [Self::Affine], src: &[Self::Proj]);
    /// Sum of affine points given by pointers, with blst's batched affine additions.
    /// # Safety
    /// every pointer must point at a valid affine point.
    unsafe fn sum_affines(ptrs: &[*const Self::Affine]) -> Self::Proj;
    /// Bytes of Pippenger scratch per bucket.
    fn bucket_bytes() -> usize;
    /// One Pippenger tile: bits [bit0, bit0 + window) of `n` scalars against `n` points, given as
    /// pointer arrays (n >= 2).
    /// # Safety
    /// pointer arrays of at least n valid entries; scratch of bucket_bytes() << (window - 1) bytes.
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(
        points: *const *const Self::Affine,
        n: usize,
        scalars: *const *const u8,
        nbits: usize,
        scratch: *mut u64,
        bit0: usize,
        window: usize,
    ) -> Self::Proj;

    /// The coordinate field (Fp or Fp2), for batched affine arithmetic built from blst's field ops.
    type F: Copy + Default + PartialEq + Send + Sync;
    fn x(a: &Self::Affine) -> &Self::F;
    fn y(a: &Self::Affine) -> &Self::F;
    fn x_mut(a: &mut Self::Affine) -> &mut Self::F;
    fn y_mut(a: &mut Self::Affine) -> &mut Self::F;
    // The field operations write their result through `out`, which may be an operand (blst allows it):
    // a result returned by value is copied out of a stack temporary while blst's narrower stores to it
    // are still in flight, and those store-forwarding stalls cost the batched additions about a fifth.
    /// out = a * b.
    /// # Safety
    /// valid pointers.
    unsafe fn f_mul(out: *mut Self::F, a: *const Self::F, b: *const Self::F);
    /// out = a^2.
    /// # Safety
    /// valid pointers.
    unsafe fn f_sqr(out: *mut Self::F, a: *const Self::F);
    /// out = a + b.
    /// # Safety
    /// valid pointers.
    unsafe fn f_add(out: *mut Self::F, a: *const Self::F, b: *const Self::F);
    /// out = a - b.
    /// # Safety
    /// valid pointers.
    unsafe fn f_sub(out: *mut Self::F, a: *const Self::F, b: *const Self::F);
    /// out = -a.
    /// # Safety
    /// valid pointers.
    unsafe fn f_neg(out: *mut Self::F, a: *const Self::F);
    /// Whether a is zero, read a limb at a time (as blst wrote it).
    fn f_is_zero(a: &Self::F) -> bool;
    /// a^-1 (zero maps to zero).
    fn f_inv(a: &Self::F) -> Self::F;
    /// Fq per coordinate: 1 in G1, 2 in G2.
    const COORD_FQ: usize;
    /// A coordinate from Montgomery-form Fq as little-endian bytes (blst's own limbs; Fq2 c0 first).
    fn f_from_mont_le(bytes: &[u8]) -> Self::F;
    /// The point whose blst (Jacobian) coordinates are x, y, z.
    fn from_jacobian(x: Self::F, y: Self::F, z: Self::F) -> Self::Proj;

    fn proj_to_bytes(p: &Self::Proj) -> Vec<u8> {
        let mut out = vec![0u8; Self::BYTES];
        Self::serialize(&Self::to_affine(p), &mut out);
        out
    }
}

pub struct G1;
pub struct G2;

macro_rules! impl_curve {
    ($t:ty, $aff:ty, $proj:ty, $bytes:expr, $name:expr,
     $deser:ident, $in_group:ident, $is_inf:ident, $ser:ident, $from_aff:ident, $to_aff:ident,
     $add:ident, $add_aff:ident, $double:ident, $mult:ident, $cneg:ident, $to_affines:ident,
     $sum:ident, $scratch:ident, $tile:ident,
     $f:ty, $fmul:ident, $fsqr:ident, $fadd:ident, $fsub:ident, $finv:ident) => {
        impl Curve for $t {
            type Affine = $aff;
            type Proj = $proj;
            const BYTES: usize = $bytes;
            const NAME: &'static str = $name;
            type F = $f;

            #[inline(always)]
            fn x(a: &$aff) -> &$f {
                &a.x
            }
            #[inline(always)]
            fn y(a: &$aff) -> &$f {
                &a.y
            }
            #[inline(always)]
            fn x_mut(a: &mut $aff) -> &mut $f {
                &mut a.x
            }
            #[inline(always)]
            fn y_mut(a: &mut $aff) -> &mut $f {
                &mut a.y
            }
            #[inline(always)]
            unsafe fn f_mul(out: *mut $f, a: *const $f, b: *const $f) {
                $fmul(out, a, b)
            }
            #[inline(always)]
            unsafe fn f_sqr(out: *mut $f, a: *const $f) {
                $fsqr(out, a)
            }
            #[inline(always)]
            unsafe fn f_add(out: *mut $f, a: *const $f, b: *const $f) {
                $fadd(out, a, b)
            }
            #[inline(always)]
            unsafe fn f_sub(out: *mut $f, a: *const $f, b: *const $f) {
                $fsub(out, a, b)
            }
            #[inline(always)]
            unsafe fn f_neg(out: *mut $f, a: *const $f) {
                $cneg(out, a, true)
            }
            #[inline(always)]
            fn f_is_zero(a: &$f) -> bool {
                const LIMBS: usize = std::mem::size_of::<$f>() / 8;
                // blst's field elements are plain arrays of u64 limbs
                let limbs = unsafe { &*(a as *const $f as *const [u64; LIMBS]) };
                limbs.iter().all(|&w| w == 0)
            }
            fn f_inv(a: &$f) -> $f {
                let mut r = <$f>::default();
                unsafe { $finv(&mut r, a) };
                r
            }
            const COORD_FQ: usize = <$f as MontLe>::FQ;
            fn f_from_mont_le(bytes: &[u8]) -> $f {
                <$f>::from_mont_le(bytes)
            }
            fn from_jacobian(x: $f, y: $f, z: $f) -> $proj {
                Self::Proj { x, y, z }
            }

            #[inline]
            fn deserialize(bytes: &[u8]) -> Result<$aff, BLST_ERROR> {
                assert!(bytes.len() >= $bytes);
                let mut a = <$aff>::default();
                // bit 0x80 would make blst read a compressed encoding: the parameter files never use it
                if bytes[0] & 0x80 != 0 {
                    return Err(BLST_ERROR::BLST_BAD_ENCODING);
                }
                let r = unsafe { $deser(&mut a, bytes.as_ptr()) };
                if r == BLST_ERROR::BLST_SUCCESS {
                    Ok(a)
                } else {
                    Err(r)
                }
            }
            #[inline]
            fn in_group(a: &$aff) -> bool {
                unsafe { $in_group(a) }
            }
            #[inline]
            fn is_inf_affine(a: &$aff) -> bool {
                unsafe { $is_inf(a) }
            }
            #[inline]
            fn serialize(a: &$aff, out: &mut [u8]) {
                assert!(out.len() >= $bytes);
                unsafe { $ser(out.as_mut_ptr(), a) }
            }
            #[inline]
            fn from_affine(a: &$aff) -> $proj {
                let mut p = <$proj>::default();
                unsafe { $from_aff(&mut p, a) };
                p
            }
            #[inline]
            fn to_affine(p: &$proj) -> $aff {
                let mut a = <$aff>::default();
                unsafe { $to_aff(&mut a, p) };
                a
            }
            #[inline]
            fn add(a: &$proj, b: &$proj) -> $proj {
                let mut r = <$proj>::default();
                unsafe { $add(&mut r, a, b) };
                r
            }
            #[inline]
            fn add_affine(a: &$proj, b: &$aff) -> $proj {
                let mut r = <$proj>::default();
                unsafe { $add_aff(&mut r, a, b) };
                r
            }
            #[inline]
            fn double(a: &$proj) -> $proj {
                let mut r = <$proj>::default();
                unsafe { $double(&mut r, a) };
                r
            }
            #[inline]
            fn mult(p: &$proj, scalar: &[u8], nbits: usize) -> $proj {
                assert!(scalar.len() * 8 >= nbits);
                let mut r = <$proj>::default();
                unsafe { $mult(&mut r, p, scalar.as_ptr(), nbits) };
                r
            }
            #[inline]
            fn neg_affine(a: &$aff) -> $aff {
                let mut r = *a;
                unsafe { $cneg(&mut r.y, &a.y, true) };
                r
            }
            fn to_affines(dst: &mut [$aff], src: &[$proj]) {
                assert!(dst.len() >= src.len());
                if src.is_empty() {
                    return;
                }
                // [first, NULL]: blst reads the rest contiguously
                let ptrs: [*const $proj; 2] = [src.as_ptr(), ptr::null()];
                unsafe { $to_affines(dst.as_mut_ptr(), ptrs.as_ptr(), src.len()) };
            }
            unsafe fn sum_affines(ptrs: &[*const $aff]) -> $proj {
                let mut r = <$proj>::default();
                if !ptrs.is_empty() {
                    $sum(&mut r, ptrs.as_ptr(), ptrs.len());
                }
                r
            }
            fn bucket_bytes() -> usize {
                // scratch_sizeof(n) is sizeof(bucket) << (window(n) - 1), and window(0) = 1
                unsafe { $scratch(0) }
            }
            unsafe fn tile(
                points: *const *const $aff,
                n: usize,
                scalars: *const *const u8,
                nbits: usize,
                scratch: *mut u64,
                bit0: usize,
                window: usize,
            ) -> $proj {
                let mut r = <$proj>::default();
                $tile(
                    &mut r,
                    points,
                    n,
                    scalars,
                    nbits,
                    scratch as *mut limb_t,
                    bit0,
                    window,
                );
                r
            }
        }
    };
}

impl_curve!(
    G1,
    blst_p1_affine,
    blst_p1,
    96,
    "g1",
    blst_p1_deserialize,
    blst_p1_affine_in_g1,
    blst_p1_affine_is_inf,
    blst_p1_affine_serialize,
    blst_p1_from_affine,
    blst_p1_to_affine,
    blst_p1_add_or_double,
    blst_p1_add_or_double_affine,
    blst_p1_double,
    blst_p1_mult,
    blst_fp_cneg,
    blst_p1s_to_affine,
    blst_p1s_add,
    blst_p1s_mult_pippenger_scratch_sizeof,
    blst_p1s_tile_pippenger,
    blst_fp,
    blst_fp_mul,
    blst_fp_sqr,
    blst_fp_add,
    blst_fp_sub,
    blst_fp_eucl_inverse
);
impl_curve!(
    G2,
    blst_p2_affine,
    blst_p2,
    192,
    "g2",
    blst_p2_deserialize,
    blst_p2_affine_in_g2,
    blst_p2_affine_is_inf,
    blst_p2_affine_serialize,
    blst_p2_from_affine,
    blst_p2_to_affine,
    blst_p2_add_or_double,
    blst_p2_add_or_double_affine,
    blst_p2_double,
    blst_p2_mult,
    blst_fp2_cneg,
    blst_p2s_to_affine,
    blst_p2s_add,
    blst_p2s_mult_pippenger_scratch_sizeof,
    blst_p2s_tile_pippenger,
    blst_fp2,
    blst_fp2_mul,
    blst_fp2_sqr,
    blst_fp2_add,
    blst_fp2_sub,
    blst_fp2_eucl_inverse
);

/// Fq and Fq2 from Montgomery-form little-endian bytes: blst keeps Fq as 6 little-endian u64 limbs in
/// Montgomery form (R = 2^384), so the bytes are its limbs as they are.
trait MontLe {
    const FQ: usize;
    fn from_mont_le(bytes: &[u8]) -> Self;
}
impl MontLe for blst_fp {
    const FQ: usize = 1;
    fn from_mont_le(bytes: &[u8]) -> Self {
        let mut f = blst_fp::default();
        for (limb, b) in f.l.iter_mut().zip(bytes[..48].chunks_exact(8)) {
            *limb = u64::from_le_bytes(b.try_into().unwrap());
        }
        f
    }
}
impl MontLe for blst_fp2 {
    const FQ: usize = 2;
    fn from_mont_le(bytes: &[u8]) -> Self {
        blst_fp2 {
            fp: [
                blst_fp::from_mont_le(&bytes[..48]),
                blst_fp::from_mont_le(&bytes[48..96]),
            ],
        }
    }
}

/// Asks for every cache line of `*p` ahead of its use: a bucket or table entry picked by a digit is a
/// random access into memory larger than L2, which stalls the field operation that first reads it.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let first = p as usize & !63;
        let last = (p as usize + std::mem::size_of::<T>() - 1) & !63;
        for line in (first..=last).step_by(64) {
            _mm_prefetch(line as *const i8, _MM_HINT_T0);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// A raw pointer that may cross threads; the code using it guarantees disjoint access.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    #[inline]
    pub fn get(&self) -> *mut T {
        self.0
    }
}

/// What blst's decoding error says of a point, for messages that name the point first.
pub fn describe(e: blst::BLST_ERROR) -> &'static str {
    match e {
        blst::BLST_ERROR::BLST_POINT_NOT_ON_CURVE => "is not on the curve",
        blst::BLST_ERROR::BLST_POINT_NOT_IN_GROUP => "is not in the prime-order subgroup",
        blst::BLST_ERROR::BLST_BAD_ENCODING => {
            "has a bad encoding (flags, or a coordinate not below p)"
        }
        _ => "could not be decoded",
    }
}

/// A point of `C` from its uncompressed encoding, checked on the curve and in the prime-order subgroup;
/// a refusal names the point as `what`.
pub fn checked_point<C: Curve>(bytes: &[u8], what: &str) -> Result<C::Affine, String> {
    if bytes.len() != C::BYTES {
        return Err(format!(
            "{what} must be {} bytes, got {}",
            C::BYTES,
            bytes.len()
        ));
    }
    let p = C::deserialize(bytes).map_err(|e| format!("{what} {}", describe(e)))?;
    if !C::in_group(&p) {
        return Err(format!("{what} is not in the prime-order subgroup"));
    }
    Ok(p)
}
