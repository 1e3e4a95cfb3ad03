// G2 MSMs: the same over Fp2 (two threads per element in sppark's kernels). sppark's digit sort is not
// templated on the group, so its kernel lives in msm_g1.cu and is only declared here.
#define FEATURE_BLS12_381
#define __MSM_SORT_DONT_IMPLEMENT__
#include <ff/bls12-381-fp2.hpp>
#include <ec/jacobian_t.hpp>
#include <ec/xyzz_t.hpp>

typedef jacobian_t<fp2_t> point_t;
typedef xyzz_t<fp2_t> bucket_t;
typedef bucket_t::affine_t affine_t;
typedef fr_t scalar_t;

#define C2_PREFIX c2_g2_
#include "msm_impl.cuh"
