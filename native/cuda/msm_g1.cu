// G1 MSMs: sppark's Pippenger over Fp with XYZZ buckets (see msm_impl.cuh).
#define FEATURE_BLS12_381
#include <ff/bls12-381.hpp>
#include <ec/jacobian_t.hpp>
#include <ec/xyzz_t.hpp>

typedef jacobian_t<fp_t> point_t;
typedef xyzz_t<fp_t> bucket_t;
typedef bucket_t::affine_t affine_t;
typedef fr_t scalar_t;

#define C2_PREFIX c2_g1_
#include "msm_impl.cuh"
