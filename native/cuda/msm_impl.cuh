// One group's point tables and MSMs, written once and included by msm_g1.cu and msm_g2.cu after they
// have named the group's types (point_t, bucket_t, affine_t, scalar_t) and the prefix C2_PREFIX.
//
// A table is one cudaMalloc, on one GPU, of `capacity` affine points in blst's layout, which is sppark's Affine_t:
// X then Y, each a Montgomery-form field element, the identity being X = Y = 0 in both. An MSM over a
// span of it is split as a PoRep witness asks: the bases of the scalars equal to one are summed by
// sppark's bitmap-driven batch addition, those of the other non-zero scalars are gathered (their index
// list comes from the host) into a scratch run and handed to sppark's Pippenger with their scalars;
// zeros cost nothing. A dense MSM (no index list) hands the span itself to Pippenger. The two sums are added on the host, where sppark's point types are blst's.
#include "glue.cuh"
#include <msm/pippenger.cuh>
#include <vector>

#define C2_CAT2(a, b) a##b
#define C2_CAT(a, b) C2_CAT2(a, b)
#define C2_FN(name) C2_CAT(C2_PREFIX, name)

namespace {

struct table_t {
    affine_t::mem_t* points;
    size_t capacity;
    const gpu_t* gpu;
};

constexpr size_t WORDS = sizeof(affine_t::mem_t) / sizeof(uint4);
static_assert(sizeof(affine_t::mem_t) % sizeof(uint4) == 0, "affine points are whole uint4 words");

// out[k] = points[idx[k]], copied as raw words: the layout is the same on both sides
__global__ void gather(uint4* out, const uint4* points, const uint32_t* idx, size_t n)
{
    size_t t = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n * WORDS) return;
    size_t k = t / WORDS, w = t % WORDS;
    out[t] = points[(size_t)idx[k] * WORDS + w];
}

} // namespace

extern "C" c2_status C2_FN(table_new)(int32_t device, size_t capacity, void** out)
{
    *out = nullptr;
    C2_GUARD("table allocation", {
        C2_SELECT_GPU(gpu, device);
        affine_t::mem_t* d = nullptr;
        cudaError_t e = cudaMalloc(&d, capacity ? capacity * sizeof(*d) : sizeof(*d));
        if (e != cudaSuccess) {
            (void)cudaGetLastError(); // an allocation failure is not sticky: clear it
            return c2_cuda_fail(e, "cudaMalloc of a point table");
        }
        *out = new table_t{d, capacity, &gpu};
        return c2_ok();
    })
}

extern "C" c2_status C2_FN(table_upload)(void* handle, size_t at, const void* affines, size_t n)
{
    auto* t = static_cast<table_t*>(handle);
    if (at + n > t->capacity) return c2_fail(C2_CUDA_E_HOST, "table upload past its capacity");
    C2_GUARD("table upload", {
        t->gpu->select();
        cudaError_t e = cudaMemcpy(t->points + at, affines, n * sizeof(*t->points), cudaMemcpyHostToDevice);
        if (e != cudaSuccess) return c2_cuda_fail(e, "cudaMemcpy of points to the GPU");
        return c2_ok();
    })
}

extern "C" void C2_FN(table_free)(void* handle)
{
    auto* t = static_cast<table_t*>(handle);
    if (!t) return;
    t->gpu->select();
    (void)cudaFree(t->points);
    delete t;
}

extern "C" c2_status C2_FN(msm)(void* handle, size_t start, size_t span, const uint32_t* ones,
                                const uint32_t* rest_idx, const void* rest_scalars, size_t nrest, void* out)
{
    auto* t = static_cast<table_t*>(handle);
    point_t& result = *static_cast<point_t*>(out);
    result.inf();
    if (start + span > t->capacity) return c2_fail(C2_CUDA_E_HOST, "MSM span past the table's capacity");
    if (span >= ((size_t)1 << 32)) return c2_fail(C2_CUDA_E_HOST, "MSM span of 2^32 points or more");
    C2_GUARD("MSM", {
        const gpu_t& gpu = *t->gpu;
        gpu.select();
        const affine_t::mem_t* base = t->points + start;
        if (ones && span) {
            // the kernel reads 32 bitmap words per 1024 points: pad the copy to whole chunks
            size_t words = (span + 31) / 32, padded = (words + WARP_SZ - 1) / WARP_SZ * WARP_SZ;
            size_t nret = (size_t)gpu.sm_count() * BATCH_ADD_BLOCK_SIZE / WARP_SZ;
            dev_ptr_t<uint32_t> d_bits{padded, gpu};
            dev_ptr_t<bucket_t::mem_t> d_ret{nret, gpu};
            CUDA_OK(cudaMemsetAsync(&d_bits[0], 0, padded * sizeof(uint32_t), gpu));
            gpu.HtoD(&d_bits[0], ones, words);
            // the bitmap overload, named by its type (the index-list one shares the name)
            void (*kernel)(bucket_t::mem_t*, const affine_t::mem_t*, uint32_t, const uint32_t*, bool,
                           uint32_t) = batch_addition<bucket_t, affine_t::mem_t>;
            gpu.launch_coop(kernel,
                            launch_params_t{(unsigned)gpu.sm_count(), (unsigned)BATCH_ADD_BLOCK_SIZE},
                            (bucket_t::mem_t*)&d_ret[0], base, (uint32_t)span,
                            (const uint32_t*)&d_bits[0], false, (uint32_t)0);
            std::vector<bucket_t> partial(nret);
            gpu.DtoH(&partial[0], &d_ret[0], nret);
            gpu.sync();
            point_t sum = sum_up(partial);
            result.add(sum);
        }
        if (nrest) {
            // with no positions the rest is the whole span in order (a dense MSM): its bases are the
            // table's own, nothing gathered
            if (!rest_idx && nrest != span) return c2_fail(C2_CUDA_E_HOST, "dense MSM of a partial span");
            dev_ptr_t<uint32_t> d_idx{rest_idx ? nrest : 0, gpu};
            dev_ptr_t<affine_t::mem_t> d_run{rest_idx ? nrest : 0, gpu};
            const affine_t::mem_t* run = base;
            if (rest_idx) {
                gpu.HtoD(&d_idx[0], rest_idx, nrest);
                size_t threads = nrest * WORDS;
                gather<<<(unsigned)((threads + 255) / 256), 256, 0, gpu>>>(
                    (uint4*)&d_run[0], (const uint4*)base, &d_idx[0], nrest);
                CUDA_OK(cudaGetLastError());
                gpu.sync();
                run = &d_run[0];
            }
            point_t rest;
            msm_t<bucket_t, point_t, affine_t, scalar_t> msm{nullptr, nrest};
            // a device pointer of affine_t itself: with mem_t, sppark's forwarding overload recurses
            RustError err = msm.invoke(rest, dev_ptr_t<affine_t>{(affine_t*)run, nrest}, nrest,
                                       static_cast<const scalar_t*>(rest_scalars), false);
            if (err.code != 0) {
                c2_status s = c2_fail(err.code, err.message ? err.message : "sppark's MSM failed");
                free(err.message);
                return s;
            }
            result.add(rest);
        }
        return c2_ok();
    })
}

extern "C" c2_status C2_FN(msm_device)(void* handle, size_t start, size_t n, const void* d_scalars, void* out)
{
    auto* t = static_cast<table_t*>(handle);
    point_t& result = *static_cast<point_t*>(out);
    result.inf();
    if (start + n > t->capacity) return c2_fail(C2_CUDA_E_HOST, "MSM span past the table's capacity");
    if (n >= ((size_t)1 << 32)) return c2_fail(C2_CUDA_E_HOST, "MSM span of 2^32 points or more");
    if (n == 0) return c2_ok();
    C2_GUARD("MSM of scalars on the GPU", {
        const gpu_t& gpu = *t->gpu;
        gpu.select();
        // scalars on another GPU would be read through peer access at best: refused
        cudaPointerAttributes attr;
        CUDA_OK(cudaPointerGetAttributes(&attr, d_scalars));
        if (attr.type != cudaMemoryTypeDevice || attr.device != gpu.cid())
            return c2_fail(C2_CUDA_E_HOST, "MSM scalars not in the table's GPU memory");
        msm_t<bucket_t, point_t, affine_t, scalar_t> msm{nullptr, n};
        // both device pointers: sppark reads the bases and the scalars where they are
        RustError err = msm.invoke(result, dev_ptr_t<affine_t>{(affine_t*)(t->points + start), n}, n,
                                   dev_ptr_t<scalar_t>{(scalar_t*)d_scalars, n}, false);
        if (err.code != 0) {
            c2_status s = c2_fail(err.code, err.message ? err.message : "sppark's MSM failed");
            free(err.message);
            return s;
        }
        return c2_ok();
    })
}

extern "C" c2_status C2_FN(msm_host)(int32_t device, const void* affines, const void* scalars, size_t n,
                                     void* out)
{
    point_t& result = *static_cast<point_t*>(out);
    result.inf();
    if (n == 0) return c2_ok();
    C2_GUARD("streamed MSM", {
        // sppark's msm_t takes the thread's current device
        C2_SELECT_GPU(gpu, device);
        (void)gpu;
        RustError err = mult_pippenger<bucket_t>(&result, static_cast<const affine_t*>(affines), n,
                                                 static_cast<const scalar_t*>(scalars), false);
        if (err.code != 0) {
            c2_status s = c2_fail(err.code, err.message ? err.message : "sppark's MSM failed");
            free(err.message);
            return s;
        }
        return c2_ok();
    })
}
