//! Our own Pippenger, opt-in (C2_NATIVE_MSM=own) while blst's is the default: on the 2-core
//! development machine it measured within noise of blst's (a little slower in G1, a little faster in
//! G2), so it awaits figures from a quiet many-core machine.
//!
//! Signed c-bit digits (2^(c-1) buckets per window), buckets kept
//! in affine coordinates and filled by batches of independent additions that share one inversion
//! (Montgomery's trick, about 6 field multiplications per addition against blst's 10 for an XYZZ
//! bucket). Windows run in parallel; points are streamed in chunks so digit memory stays bounded.
//! An addition whose bucket already has one pending in the batch goes to that bucket's Jacobian
//! spill accumulator instead (blst's mixed addition), so skewed digit distributions (small scalars,
//! the top window) cost at worst what a projective Pippenger costs, never a queue that grows.

use crate::curve::{Curve, SendPtr};
use crate::fr::FR_BYTES;
use rayon::prelude::*;

const BATCH: usize = 512;
const POINT_CHUNK: usize = 1 << 19;

fn bits(limbs: &[u64; 4], pos: usize, w: usize) -> u64 {
    let idx = pos / 64;
    if idx >= 4 {
        return 0;
    }
    let off = pos % 64;
    let mut v = limbs[idx] >> off;
    if off + w > 64 && idx + 1 < 4 {
        v |= limbs[idx + 1] << (64 - off);
    }
    v & ((1u64 << w) - 1)
}

/// Window width for n points: windows * (n additions + bucket reduction at ~2 additions per bucket).
pub fn window_bits(n: usize) -> usize {
    let mut best = (usize::MAX, 4);
    for c in 4..=16usize {
        let cost = 256usize.div_ceil(c) * (n + (1usize << c) * 2);
        if cost < best.0 {
            best = (cost, c);
        }
    }
    best.1
}

struct Window<C: Curve> {
    buckets: Vec<C::Affine>,
    inf: Vec<bool>,
    busy: Vec<bool>,
    entries: Vec<(u32, usize, bool)>,
    pre: Vec<C::F>,
    spill: Vec<C::Proj>,
    spilled: Vec<bool>,
    batch: usize,
}

impl<C: Curve> Window<C> {
    fn new(nb: usize) -> Self {
        Window {
            buckets: vec![C::Affine::default(); nb],
            inf: vec![true; nb],
            busy: vec![false; nb],
            entries: Vec::with_capacity(BATCH),
            pre: Vec::with_capacity(BATCH),
            spill: vec![C::Proj::default(); nb],
            spilled: vec![false; nb],
            // conflicts stay rare while a batch touches a small fraction of the buckets
            batch: (nb / 4).clamp(16, BATCH),
        }
    }

    #[inline]
    fn add_op(&mut self, b: u32, addr: usize, neg: bool) {
        let bi = b as usize;
        let pt = unsafe { &*(addr as *const C::Affine) };
        if self.busy[bi] {
            let p = if neg { C::neg_affine(pt) } else { *pt };
            self.spill[bi] = C::add_affine(&self.spill[bi], &p);
            self.spilled[bi] = true;
            return;
        }
        if self.inf[bi] {
            self.buckets[bi] = if neg { C::neg_affine(pt) } else { *pt };
            self.inf[bi] = false;
            return;
        }
        let dx = C::f_sub(C::x(pt), C::x(&self.buckets[bi]));
        if dx == C::F::default() {
            let p = if neg { C::neg_affine(pt) } else { *pt };
            // p == bucket (double) or p == -bucket (identity): blst's complete addition
            let r = C::add_affine(&C::from_affine(&self.buckets[bi]), &p);
            self.buckets[bi] = C::to_affine(&r);
            self.inf[bi] = C::is_inf_affine(&self.buckets[bi]);
            return;
        }
        let run = match self.pre.last() {
            Some(r) => C::f_mul(r, &dx),
            None => dx,
        };
        self.pre.push(run);
        self.entries.push((b, addr, neg));
        self.busy[bi] = true;
    }

    fn apply(&mut self) {
        let Some(last) = self.pre.last() else { return };
        let mut inv = C::f_inv(last);
        for j in (0..self.entries.len()).rev() {
            let (b, addr, neg) = self.entries[j];
            let pt = unsafe { &*(addr as *const C::Affine) };
            let p = if neg { C::neg_affine(pt) } else { *pt };
            let bi = b as usize;
            let a = self.buckets[bi];
            let dinv = if j > 0 {
                let d = C::f_mul(&inv, &self.pre[j - 1]);
                inv = C::f_mul(&inv, &C::f_sub(C::x(&p), C::x(&a)));
                d
            } else {
                inv
            };
            let lambda = C::f_mul(&C::f_sub(C::y(&p), C::y(&a)), &dinv);
            let x3 = C::f_sub(&C::f_sub(&C::f_sqr(&lambda), C::x(&a)), C::x(&p));
            let y3 = C::f_sub(&C::f_mul(&lambda, &C::f_sub(C::x(&a), &x3)), C::y(&a));
            self.buckets[bi] = C::from_xy(x3, y3);
            self.busy[bi] = false;
        }
        self.entries.clear();
        self.pre.clear();
    }

    /// Adds point i (by digit d) for every point of a chunk.
    fn accumulate(&mut self, digits: &[i32], points: &[usize]) {
        for (&d, &p) in digits.iter().zip(points) {
            if d == 0 {
                continue;
            }
            if C::is_inf_affine(unsafe { &*(p as *const C::Affine) }) {
                continue;
            }
            self.add_op(d.unsigned_abs() - 1, p, d < 0);
            if self.entries.len() >= self.batch {
                self.apply();
            }
        }
        self.apply();
    }

    /// sum (b + 1) * bucket[b].
    fn reduce(&self) -> C::Proj {
        let mut running = C::Proj::default();
        let mut total = C::Proj::default();
        for b in (0..self.buckets.len()).rev() {
            if !self.inf[b] {
                running = C::add_affine(&running, &self.buckets[b]);
            }
            if self.spilled[b] {
                running = C::add(&running, &self.spill[b]);
            }
            total = C::add(&total, &running);
        }
        total
    }
}

/// sum scalar * point over pointer arrays (addresses as usize), scalars 32-byte little-endian < 2^255.
pub fn msm<C: Curve>(points: &[usize], scalars: &[usize]) -> C::Proj {
    let n = points.len();
    let c = window_bits(n);
    let nw = 256usize.div_ceil(c);
    let half = 1u64 << (c - 1);
    let mut windows: Vec<Window<C>> = (0..nw).map(|_| Window::new(1 << (c - 1))).collect();
    let mut digits: Vec<i32> = Vec::new();
    for lo in (0..n).step_by(POINT_CHUNK) {
        let hi = (lo + POINT_CHUNK).min(n);
        let len = hi - lo;
        digits.clear();
        digits.resize(nw * len, 0);
        let dp = SendPtr(digits.as_mut_ptr());
        scalars[lo..hi]
            .par_chunks(1 << 12)
            .enumerate()
            .for_each(|(ci, sc)| {
                for (k, &sp) in sc.iter().enumerate() {
                    let i = ci * (1 << 12) + k;
                    let s = unsafe { std::slice::from_raw_parts(sp as *const u8, FR_BYTES) };
                    let mut limbs = [0u64; 4];
                    for (l, b) in limbs.iter_mut().zip(s.chunks_exact(8)) {
                        *l = u64::from_le_bytes(b.try_into().unwrap());
                    }
                    let mut carry = 0u64;
                    for w in 0..nw {
                        let d = bits(&limbs, w * c, c) + carry;
                        let v = if d > half {
                            carry = 1;
                            d as i32 - (1i32 << c)
                        } else {
                            carry = 0;
                            d as i32
                        };
                        // rows are disjoint per window, columns per scalar
                        unsafe { *dp.get().add(w * len + i) = v };
                    }
                }
            });
        let pts = &points[lo..hi];
        let dg = &digits[..];
        windows
            .par_iter_mut()
            .enumerate()
            .for_each(|(w, win)| win.accumulate(&dg[w * len..(w + 1) * len], pts));
    }
    let sums: Vec<C::Proj> = windows.par_iter().map(|w| w.reduce()).collect();
    let mut acc = C::Proj::default();
    for s in sums.iter().rev() {
        for _ in 0..c {
            acc = C::double(&acc);
        }
        acc = C::add(&acc, s);
    }
    acc
}
