// Device discovery: what `c2prover info` and the backend's factory ask before anything touches a GPU. With
// the runtime linked statically the addon loads without a driver; the first runtime call then answers
// cudaErrorInsufficientDriver (no libcuda) or cudaErrorNoDevice, which is what we report.
#include "glue.cuh"

extern "C" c2_status c2_cuda_devices(c2_cuda_device* out, int32_t cap, int32_t* count,
                                     int32_t* runtime_version, int32_t* driver_version)
{
    *count = 0;
    *runtime_version = 0;
    *driver_version = 0;
    (void)cudaRuntimeGetVersion(runtime_version);
    (void)cudaDriverGetVersion(driver_version); // 0 when no driver is installed
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) return c2_cuda_fail(e, "cudaGetDeviceCount");
    int usable = 0;
    for (int id = 0; id < n && usable < cap; id++) {
        cudaDeviceProp p;
        if (cudaGetDeviceProperties(&p, id) != cudaSuccess) continue;
        // sppark's gpu_t list keeps Volta and later with cooperative launch; so do we, to agree on ids
        if (p.major < 7 || !p.cooperativeLaunch) continue;
        c2_cuda_device& d = out[usable++];
        snprintf(d.name, sizeof(d.name), "%.95s", p.name);
        d.major = p.major;
        d.minor = p.minor;
        d.sm_count = p.multiProcessorCount;
        d.total_mem = p.totalGlobalMem;
        d.free_mem = 0;
        size_t fr = 0, tot = 0;
        if (cudaSetDevice(id) == cudaSuccess && cudaMemGetInfo(&fr, &tot) == cudaSuccess) d.free_mem = fr;
    }
    *count = usable;
    if (usable == 0) return c2_cuda_fail(cudaErrorNoDevice, "no GPU of compute capability 7.0 or later");
    return c2_ok();
}
