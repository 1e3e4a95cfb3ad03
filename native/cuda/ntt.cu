// NTTs and Groth16's quotient on sppark's NTT, and the quotient straight from an R1CS (its A, B, C
// evaluated on the GPU by our own kernel: sppark has no sparse products). Our vectors are canonical on the
// host (bellperson's file encoding); sppark's fr_t is Montgomery, so our own two kernels convert on the GPU
// on the way in and out. sppark's coset is that of its group_gen, 7: BLS12-381 Fr's multiplicative
// generator, bellperson's too. One translation unit: sppark's NTT headers define its twiddle tables.
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

// One row of a CSR matrix a thread, in Montgomery form: out[r] = sum_k coeffs[ids[k]] * w[cols[k]]. The
// coefficient table is small (~1500 values for PoRep) and stays in cache; a product costs far less than
// the gathered witness value it multiplies, so bits and unit coefficients take no branch of their own.
__global__ void eval_rows(fr_t* out, const uint32_t* row_ptr, const uint32_t* cols, const uint32_t* ids,
                          const fr_t* coeffs, const fr_t* w, size_t rows)
{
    size_t r = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    fr_t acc;
    acc.zero();
    for (uint32_t k = row_ptr[r], end = row_ptr[r + 1]; k < end; k++) acc += coeffs[ids[k]] * w[cols[k]];
    out[r] = acc;
}

// One variable a thread from the witness's code (c2_witness): a general value read where its rank says,
// 0 and 1 from the bits; Montgomery form, as eval_rows reads it.
__global__ void expand_witness(fr_t* w, const uint32_t* groups, const fr_t* values, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const uint32_t* g = groups + 3 * (i / 32);
    uint32_t bit = 1u << (i % 32);
    fr_t x;
    if (g[1] & bit) {
        x = values[g[2] + __popc(g[1] & (bit - 1))];
        x.to();
    } else if (g[0] & bit) {
        x = fr_t::one();
    } else {
        x.zero();
    }
    w[i] = x;
}

inline unsigned blocks(size_t n) { return (unsigned)((n + 255) / 256); }

void montgomery(stream_t& s, fr_t* v, size_t n)
{
    if (!n) return;
    to_mont<<<blocks(n), 256, 0, s>>>(v, n);
    CUDA_OK(cudaGetLastError());
}

// One matrix on the GPU: its index arrays in one allocation (row_ptr, cols, ids) and its table in
// Montgomery form.
struct csr_dev {
    uint32_t* idx;
    fr_t* coeffs;
    size_t rows, terms;
    const uint32_t* row_ptr() const { return idx; }
    const uint32_t* cols() const { return idx + rows + 1; }
    const uint32_t* ids() const { return idx + rows + 1 + terms; }
};

inline size_t csr_words(const c2_csr& m, size_t rows) { return rows + 1 + 2 * (size_t)m.row_ptr[rows]; }
// the table's allocation: one value where it is empty, so that every matrix has a buffer
inline size_t table_len(const c2_csr& m) { return m.ncoeffs ? m.ncoeffs : 1; }

// The host matrix into d (idx of csr_words, coeffs of table_len), the table made Montgomery.
void upload(stream_t& s, csr_dev& d, const c2_csr& m, size_t rows)
{
    d.rows = rows;
    d.terms = m.row_ptr[rows];
    s.HtoD(d.idx, m.row_ptr, rows + 1);
    s.HtoD(d.idx + rows + 1, m.cols, d.terms);
    s.HtoD(d.idx + rows + 1 + d.terms, m.coeff_ids, d.terms);
    s.HtoD(d.coeffs, m.coeffs, m.ncoeffs);
    montgomery(s, d.coeffs, m.ncoeffs);
}

void evaluate(stream_t& s, fr_t* out, const csr_dev& m, const fr_t* w)
{
    if (!m.rows) return;
    eval_rows<<<blocks(m.rows), 256, 0, s>>>(out, m.row_ptr(), m.cols(), m.ids(), m.coeffs, w, m.rows);
    CUDA_OK(cudaGetLastError());
}

// out[0, rows) = the host matrix times the witness w: its structure goes up in stream-ordered allocations,
// freed once the kernel has read them, so one matrix's structure at a time is on the GPU.
void evaluate(stream_t& s, fr_t* out, const c2_csr& m, size_t rows, const fr_t* w)
{
    if (!rows) return;
    dev_ptr_t<uint32_t> idx{csr_words(m, rows), s};
    dev_ptr_t<fr_t> k{table_len(m), s};
    csr_dev d{&idx[0], &k[0], 0, 0};
    upload(s, d, m, rows);
    evaluate(s, out, d, w);
}

void transform(stream_t& s, fr_t* d, uint32_t lg, bool inverse, bool coset)
{
    NTT::Base_dev_ptr(s, d, lg, NTT::InputOutputOrder::NN,
                      inverse ? NTT::Direction::inverse : NTT::Direction::forward,
                      coset ? NTT::Type::coset : NTT::Type::standard);
}

// H from A, B, C (Montgomery, zero-padded to 2^lg) and 1/Z (dz): to the coset, combined, back to
// coefficients, canonical, in da; its first nout coefficients copied out where `out` is given.
void finish_quotient(stream_t& s, void* out, size_t nout, fr_t* da, fr_t* db, fr_t* dc, const fr_t* dz,
                     uint32_t lg)
{
    size_t m = (size_t)1 << lg;
    if (lg) {
        for (fr_t* v : {da, db, dc}) {
            transform(s, v, lg, true, false);  // evaluations on the domain to coefficients
            transform(s, v, lg, false, true);  // coefficients to evaluations on the coset
        }
    }
    combine<<<blocks(m), 256, 0, s>>>(da, db, dc, dz, m);
    CUDA_OK(cudaGetLastError());
    if (lg) transform(s, da, lg, true, true);  // back to coefficients
    from_mont<<<blocks(m), 256, 0, s>>>(da, m);
    CUDA_OK(cudaGetLastError());
    if (out && nout) s.DtoH(static_cast<fr_t*>(out), da, nout);
    s.sync();
}

} // namespace

// An R1CS's three matrices resident on one GPU (c2_r1cs_new).
struct c2_r1cs_gpu {
    const gpu_t* gpu;
    size_t rows;
    csr_dev m[3];
};

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
        montgomery(gpu, da, 3 * m + 1);
        finish_quotient(gpu, out, nout, da, db, dc, dz, lg);
        return c2_ok();
    })
}

extern "C" c2_status c2_r1cs_new(int32_t device, const c2_csr* mats, size_t rows, size_t reserve, void** out)
{
    *out = nullptr;
    size_t words[3], bytes = 0;
    for (int i = 0; i < 3; i++) {
        words[i] = csr_words(mats[i], rows);
        bytes += words[i] * sizeof(uint32_t) + table_len(mats[i]) * sizeof(fr_t);
    }
    C2_GUARD("R1CS upload", {
        C2_SELECT_GPU(gpu, device);
        size_t avail = 0, total = 0;
        CUDA_OK(cudaMemGetInfo(&avail, &total));
        if (avail < bytes + reserve) {
            char buf[200];
            snprintf(buf, sizeof(buf), "the R1CS's %zu MiB beside a reserve of %zu MiB: %zu MiB free",
                     bytes >> 20, reserve >> 20, avail >> 20);
            return c2_fail(-(int)cudaErrorMemoryAllocation, buf);
        }
        auto* r = new c2_r1cs_gpu{&gpu, rows, {}};
        for (int i = 0; i < 3; i++) {
            cudaError_t e = cudaMalloc(&r->m[i].idx, words[i] * sizeof(uint32_t));
            if (e == cudaSuccess)
                e = cudaMalloc(&r->m[i].coeffs, table_len(mats[i]) * sizeof(fr_t));
            if (e != cudaSuccess) {
                (void)cudaGetLastError(); // an allocation failure is not sticky: clear it
                c2_r1cs_free(r);
                return c2_cuda_fail(e, "cudaMalloc of an R1CS matrix");
            }
        }
        try {
            for (int i = 0; i < 3; i++) upload(gpu, r->m[i], mats[i], rows);
            gpu.sync();
        } catch (...) {
            c2_r1cs_free(r);
            throw;
        }
        *out = r;
        return c2_ok();
    })
}

extern "C" void c2_r1cs_free(void* handle)
{
    auto* r = static_cast<c2_r1cs_gpu*>(handle);
    if (!r) return;
    r->gpu->select();
    for (auto& m : r->m) {
        (void)cudaFree(m.idx);
        (void)cudaFree(m.coeffs);
    }
    delete r;
}

// c2_quotient_r1cs's H into da (m values, zeroed here), B, C and 1/Z allocated for the call only: freed
// (and the stream synced) when it returns, so that they are gone before an MSM reads H.
static void r1cs_quotient(const gpu_t& gpu, fr_t* da, const c2_csr* mats, const c2_r1cs_gpu* r, size_t rows,
                          const c2_witness* witness, uint32_t lg, const void* zinv, void* out, size_t nout)
{
    size_t m = (size_t)1 << lg, ninputs = witness->ninputs, nvars = witness->nvars;
    {
        dev_ptr_t<fr_t> d{2 * m + 1, gpu};
        fr_t *db = &d[0], *dc = &d[m], *dz = &d[2 * m];
        CUDA_OK(cudaMemsetAsync(da, 0, m * sizeof(fr_t), gpu));
        CUDA_OK(cudaMemsetAsync(db, 0, 2 * m * sizeof(fr_t), gpu));
        gpu.HtoD(dz, zinv, 1);
        montgomery(gpu, dz, 1);
        {
            // the witness, inputs then aux as the matrices' columns number them, freed before the NTTs;
            // its code goes up (~5% of its bytes for PoRep's) and is expanded here
            dev_ptr_t<fr_t> w{nvars ? nvars : 1, gpu};
            if (nvars) {
                size_t ngroups = (nvars + 31) / 32, ngeneral = witness->ngeneral;
                dev_ptr_t<uint32_t> groups{3 * ngroups, gpu};
                dev_ptr_t<fr_t> values{ngeneral ? ngeneral : 1, gpu};
                gpu.HtoD(&groups[0], witness->groups, 3 * ngroups);
                gpu.HtoD(&values[0], witness->values, ngeneral);
                expand_witness<<<blocks(nvars), 256, 0, gpu>>>(&w[0], &groups[0], &values[0], nvars);
                CUDA_OK(cudaGetLastError());
            }
            fr_t* into[3] = {da, db, dc};
            for (int i = 0; i < 3; i++) {
                if (r) evaluate(gpu, into[i], r->m[i], &w[0]);
                else evaluate(gpu, into[i], mats[i], rows, &w[0]);
            }
            // the input constraints bellperson appends: A = input i, B = C = 0
            if (ninputs)
                CUDA_OK(cudaMemcpyAsync(da + rows, &w[0], ninputs * sizeof(fr_t), cudaMemcpyDeviceToDevice,
                                        gpu));
        }
        finish_quotient(gpu, out, nout, da, db, dc, dz, lg);
    }
    gpu.sync();
}

extern "C" c2_status c2_quotient_r1cs(int32_t device, void* out, size_t nout, const c2_csr* mats,
                                      const void* resident, size_t rows, const c2_witness* witness,
                                      uint32_t lg, const void* zinv, void* h_table, void* h_sum)
{
    if (lg > MAX_LG_DOMAIN_SIZE) return c2_fail(C2_CUDA_E_HOST, "NTT domain larger than sppark's maximum");
    size_t m = (size_t)1 << lg;
    if (rows + witness->ninputs > m || nout > m)
        return c2_fail(C2_CUDA_E_HOST, "constraints and inputs do not fit the domain");
    auto* r = static_cast<const c2_r1cs_gpu*>(resident);
    if (r && r->rows != rows) return c2_fail(C2_CUDA_E_HOST, "the resident R1CS has other rows");
    C2_GUARD("quotient", {
        C2_SELECT_GPU(gpu, device);
        if (r && r->gpu != &gpu) return c2_fail(C2_CUDA_E_HOST, "the resident R1CS is on another GPU");
        dev_ptr_t<fr_t> dh{m, gpu};
        r1cs_quotient(gpu, &dh[0], mats, r, rows, witness, lg, zinv, h_table ? nullptr : out, nout);
        // H read where it is: only the sum comes back
        if (h_table) return c2_g1_msm_device(h_table, 0, nout, &dh[0], h_sum);
        return c2_ok();
    })
}
