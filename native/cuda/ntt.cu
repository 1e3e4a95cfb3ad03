// NTTs and Groth16's quotient on sppark's NTT. Our vectors are canonical on the host (bellperson's file
// encoding); sppark's fr_t is Montgomery, so our own two kernels convert on the GPU on the way in and out.
// sppark's coset is that of its group_gen, 7: BLS12-381 Fr's multiplicative generator, bellperson's too.
#define FEATURE_BLS12_381
#include <ff/bls12-381.hpp>
#include <ntt/ntt.cuh>
#include "glue.cuh"

namespace {

__global__ void to_mont(fr_t* v, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { fr_t x = v[i]; x.to(); v[i] = x; }
}

__global__ void from_mont(fr_t* v, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { fr_t x = v[i]; x.from(); v[i] = x; }
}

// a = (a * b - c) * zinv: the division by Z, constant on a coset of the domain (g^m - 1)
__global__ void combine(fr_t* a, const fr_t* b, const fr_t* c, const fr_t* zinv, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { fr_t x = a[i] * b[i]; x -= c[i]; a[i] = x * *zinv; }
}

inline unsigned blocks(size_t n) { return (unsigned)((n + 255) / 256); }

void transform(stream_t& s, fr_t* d, uint32_t lg, bool inverse, bool coset)
{
    NTT::Base_dev_ptr(s, d, lg, NTT::InputOutputOrder::NN,
                      inverse ? NTT::Direction::inverse : NTT::Direction::forward,
                      coset ? NTT::Type::coset : NTT::Type::standard);
}

} // namespace

extern "C" c2_status c2_ntt(int32_t device, void* values, uint32_t lg, int32_t inverse, int32_t coset)
{
    if (lg > MAX_LG_DOMAIN_SIZE) return c2_fail(C2_CUDA_E_HOST, "NTT domain larger than sppark's maximum");
    if (lg == 0) return c2_ok(); // one value: every transform is the identity
    C2_GUARD("NTT", {
        C2_SELECT_GPU(gpu, device);
        size_t n = (size_t)1 << lg;
        dev_ptr_t<fr_t> d{n, gpu};
        gpu.HtoD(&d[0], values, n);
        to_mont<<<blocks(n), 256, 0, gpu>>>(&d[0], n);
        CUDA_OK(cudaGetLastError());
        transform(gpu, &d[0], lg, inverse != 0, coset != 0);
        from_mont<<<blocks(n), 256, 0, gpu>>>(&d[0], n);
        CUDA_OK(cudaGetLastError());
        gpu.DtoH(static_cast<fr_t*>(values), &d[0], n);
        gpu.sync();
        return c2_ok();
    })
}

extern "C" c2_status c2_quotient(int32_t device, void* out, size_t nout, const void* a, const void* b,
                                 const void* c, size_t n, uint32_t lg, const void* zinv)
{
    if (lg > MAX_LG_DOMAIN_SIZE) return c2_fail(C2_CUDA_E_HOST, "NTT domain larger than sppark's maximum");
    size_t m = (size_t)1 << lg;
    if (n > m || nout > m) return c2_fail(C2_CUDA_E_HOST, "quotient vectors longer than the domain");
    C2_GUARD("quotient", {
        C2_SELECT_GPU(gpu, device);
        // one allocation: a, b, c zero-padded to the domain on the GPU (no padded copies on the host),
        // and the constant
        dev_ptr_t<fr_t> d{3 * m + 1, gpu};
        fr_t *da = &d[0], *db = &d[m], *dc = &d[2 * m], *dz = &d[3 * m];
        CUDA_OK(cudaMemsetAsync(da, 0, 3 * m * sizeof(fr_t), gpu));
        gpu.HtoD(da, a, n);
        gpu.HtoD(db, b, n);
        gpu.HtoD(dc, c, n);
        gpu.HtoD(dz, zinv, 1);
        to_mont<<<blocks(3 * m + 1), 256, 0, gpu>>>(da, 3 * m + 1);
        CUDA_OK(cudaGetLastError());
        if (lg) {
            for (fr_t* v : {da, db, dc}) {
                transform(gpu, v, lg, true, false);  // evaluations on the domain to coefficients
                transform(gpu, v, lg, false, true);  // coefficients to evaluations on the coset
            }
        }
        combine<<<blocks(m), 256, 0, gpu>>>(da, db, dc, dz, m);
        CUDA_OK(cudaGetLastError());
        if (lg) transform(gpu, da, lg, true, true);  // back to coefficients
        from_mont<<<blocks(m), 256, 0, gpu>>>(da, m);
        CUDA_OK(cudaGetLastError());
        if (nout) gpu.DtoH(static_cast<fr_t*>(out), da, nout);
        gpu.sync();
        return c2_ok();
    })
}
