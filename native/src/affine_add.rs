//! Affine point additions queued in a batch and done together with one field inversion (Montgomery's
//! trick): about 6 field products a sum, where a projective accumulator takes 10 or more. Pippenger's buckets
//! (pippenger.rs) and the fixed-base accumulators (fixed.rs) both fill this way.

use crate::curve::Curve;

pub struct AffineAdds<C: Curve> {
    /// (accumulator, point, negate the point) addresses of each queued sum
    pending: Vec<(usize, usize, bool)>,
    /// x(point) - x(accumulator) of each
    dx: Vec<C::F>,
    /// running products of dx
    pre: Vec<C::F>,
}

impl<C: Curve> AffineAdds<C> {
    pub fn with_capacity(n: usize) -> Self {
        AffineAdds {
            pending: Vec::with_capacity(n),
            dx: Vec::with_capacity(n),
            pre: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Queues *acc += *p (or -*p). Returns false, queuing nothing, where x(acc) == x(p): p is acc or -acc,
    /// which the caller adds with a complete formula.
    /// # Safety
    /// Neither point is the identity; both stay valid and unmoved, and `acc` is queued at most once,
    /// until `apply`.
    pub unsafe fn push(&mut self, acc: *mut C::Affine, p: *const C::Affine, neg: bool) -> bool {
        let j = self.dx.len();
        self.dx.push(C::F::default());
        let d = self.dx.as_mut_ptr().add(j);
        C::f_sub(d, C::x(&*p), C::x(&*acc));
        if C::f_is_zero(&*d) {
            self.dx.pop();
            return false;
        }
        self.pre.push(*d);
        if j > 0 {
            let pre = self.pre.as_mut_ptr();
            C::f_mul(pre.add(j), pre.add(j - 1), d);
        }
        self.pending.push((acc as usize, p as usize, neg));
        true
    }

    /// Every queued sum, into its accumulator.
    pub fn apply(&mut self) {
        let Some(last) = self.pre.last() else { return };
        let mut inv = C::f_inv(last);
        let (mut dinv, mut t, mut lambda, mut u) = Default::default();
        let (dinv, t, lambda, u) = (
            &mut dinv as *mut C::F,
            &mut t as *mut C::F,
            &mut lambda as *mut C::F,
            &mut u as *mut C::F,
        );
        let inv = &mut inv as *mut C::F;
        for j in (0..self.pending.len()).rev() {
            let (acc, p, neg) = self.pending[j];
            let (acc, p) = (acc as *mut C::Affine, p as *const C::Affine);
            // push's contract: both valid, and acc is no other entry's
            unsafe {
                let (xa, ya) = (
                    C::x_mut(&mut *acc) as *mut C::F,
                    C::y_mut(&mut *acc) as *mut C::F,
                );
                let (xp, yp) = (C::x(&*p) as *const C::F, C::y(&*p) as *const C::F);
                // 1 / dx[j] = inv * pre[j - 1], then inv becomes 1 / pre[j - 1]
                let dx_inv = if j > 0 {
                    C::f_mul(dinv, inv, &self.pre[j - 1]);
                    C::f_mul(inv, inv, &self.dx[j]);
                    dinv
                } else {
                    inv
                };
                // lambda = (±y_p - y_a) / (x_p - x_a)
                if neg {
                    C::f_add(t, yp, ya);
                    C::f_neg(t, t);
                } else {
                    C::f_sub(t, yp, ya);
                }
                C::f_mul(lambda, t, dx_inv);
                // x3 = lambda^2 - x_p - x_a = t - x_a; u = x_a - x3 = 2 x_a - t
                C::f_sqr(t, lambda);
                C::f_sub(t, t, xp);
                C::f_add(u, xa, xa);
                C::f_sub(u, u, t);
                C::f_sub(xa, t, xa);
                // y3 = lambda (x_a - x3) - y_a
                C::f_mul(u, u, lambda);
                C::f_sub(ya, u, ya);
            }
        }
        self.pending.clear();
        self.dx.clear();
        self.pre.clear();
    }
}
