// What every glue file shares: the status helpers and the catch-all that keeps C++ exceptions (sppark's
// cuda_error, std::bad_alloc) from crossing into Rust, where they would abort the process.
#ifndef C2_GLUE_CUH
#define C2_GLUE_CUH
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <cuda_runtime.h>
#include "c2cuda.h"

static inline c2_status c2_ok()
{
    c2_status s;
    s.code = 0;
    s.message[0] = 0;
    return s;
}

static inline c2_status c2_fail(int code, const char* what)
{
    c2_status s;
    s.code = code;
    snprintf(s.message, sizeof(s.message), "%s", what ? what : "unknown failure");
    return s;
}

static inline c2_status c2_cuda_fail(cudaError_t e, const char* during)
{
    char buf[400];
    snprintf(buf, sizeof(buf), "%s: %s (%s)", during, cudaGetErrorString(e), cudaGetErrorName(e));
    return c2_fail(-(int)e, buf);
}

// Runs `body` (which returns a c2_status) and turns anything thrown into one.
#define C2_GUARD(during, ...)                                                                   \
    try {                                                                                         \
        __VA_ARGS__                                                                               \
    } catch (const cuda_error& e) {                                                               \
        char buf[440];                                                                            \
        snprintf(buf, sizeof(buf), "%s: %s", during, e.what());                                   \
        return c2_fail(e.code() ? e.code() : C2_CUDA_E_HOST, buf);                                \
    } catch (const std::bad_alloc&) {                                                             \
        return c2_fail(C2_CUDA_E_HOST, during ": out of host memory");                            \
    } catch (const std::exception& e) {                                                           \
        char buf[440];                                                                            \
        snprintf(buf, sizeof(buf), "%s: %s", during, e.what());                                   \
        return c2_fail(C2_CUDA_E_HOST, buf);                                                      \
    }

// `var` is sppark's gpu_t of our device index, selected for this thread (files that include sppark's
// gpu_t only). With no GPU at all select_gpu answers cudaErrorNoDevice, as every entry point reports.
#define C2_SELECT_GPU(var, device)                                                                \
    if (ngpus() != 0 && ((device) < 0 || (size_t)(device) >= ngpus()))                            \
        return c2_fail(C2_CUDA_E_HOST, "no such CUDA device");                                   \
    const gpu_t& var = select_gpu(device)

#endif
