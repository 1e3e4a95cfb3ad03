/*
 * The C surface of our CUDA glue, called from native/src/gpu.rs. Every call returns a c2_status: code 0 is
 * success, otherwise a CUDA error code (negated, as sppark reports them) or C2_CUDA_E_* below, with a
 * message that says what failed. Nothing throws across this boundary.
 */
#ifndef C2CUDA_H
#define C2CUDA_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t code;
    char message[480];
} c2_status;

#define C2_CUDA_E_HOST -1000 /* a host-side failure inside the glue (allocation, bad argument) */

typedef struct {
    char name[96];
    int32_t major, minor;
    int32_t sm_count;
    uint64_t total_mem, free_mem;
} c2_cuda_device;

/* Devices usable by sppark (compute capability 7 and up). count 0 with code 0 cannot happen: no
 * device answers cudaErrorNoDevice, no driver cudaErrorInsufficientDriver (both with the reason). */
c2_status c2_cuda_devices(c2_cuda_device* out, int32_t cap, int32_t* count, int32_t* runtime_version,
                          int32_t* driver_version);

/* `device` below is an index into c2_cuda_devices' list, which is sppark's (select_gpu) order. */

/* Point tables resident in one GPU's memory, in blst's affine layout (which is sppark's affine_t). */
c2_status c2_g1_table_new(int32_t device, size_t capacity, void** table);
c2_status c2_g1_table_upload(void* table, size_t at, const void* affines, size_t n);
void c2_g1_table_free(void* table);
c2_status c2_g2_table_new(int32_t device, size_t capacity, void** table);
c2_status c2_g2_table_upload(void* table, size_t at, const void* affines, size_t n);
void c2_g2_table_free(void* table);

/*
 * sum over the span [start, start + span) of the table: the bases whose bit is set in `ones` (one bit per
 * base of the span, 32 per word) plus sum_k rest_scalars[k] * base[start + rest_idx[k]] (canonical
 * little-endian scalars). With rest_idx NULL, nrest is the span and rest_scalars are the span's own
 * scalars in order (a dense MSM: no positions, nothing gathered). The result is a Jacobian point in blst's
 * layout (blst_p1 / blst_p2).
 */
c2_status c2_g1_msm(void* table, size_t start, size_t span, const uint32_t* ones, const uint32_t* rest_idx,
                    const void* rest_scalars, size_t nrest, void* out);
c2_status c2_g2_msm(void* table, size_t start, size_t span, const uint32_t* ones, const uint32_t* rest_idx,
                    const void* rest_scalars, size_t nrest, void* out);
/* sum of scalars[k] * base[start + k], k < n, the n canonical scalars already in GPU memory on the table's
 * device (a quotient's H: c2_quotient_r1cs): only the sum crosses the bus. */
c2_status c2_g1_msm_device(void* table, size_t start, size_t n, const void* d_scalars, void* out);
c2_status c2_g2_msm_device(void* table, size_t start, size_t n, const void* d_scalars, void* out);
/* The streamed form for tables that do not fit on the GPU: host affines, canonical scalars, no split. */
c2_status c2_g1_msm_host(int32_t device, const void* affines, const void* scalars, size_t n, void* out);
c2_status c2_g2_msm_host(int32_t device, const void* affines, const void* scalars, size_t n, void* out);

/* In-place NTT of 2^lg canonical Fr values on the host: forward or inverse (scaled by 1/n), on the coset
 * of the multiplicative generator (7) when `coset`. */
c2_status c2_ntt(int32_t device, void* values, uint32_t lg, int32_t inverse, int32_t coset);
/* Groth16's H as bellperson computes it from a, b, c (n canonical values each, zero-padded on the GPU to
 * the domain of 2^lg): its first nout coefficients into out. zinv is 1/(g^m - 1), canonical, computed by
 * the caller. */
c2_status c2_quotient(int32_t device, void* out, size_t nout, const void* a, const void* b, const void* c,
                      size_t n, uint32_t lg, const void* zinv);

/* One of A, B, C in CSR form (src/shared/r1cs.ts's SparseMatrix): rows + 1 offsets, each term's variable
 * (inputs then aux) and its index into the table of ncoeffs canonical coefficients. The caller checked
 * the offsets, columns and indices against the witness and the table. */
typedef struct {
    const uint32_t* row_ptr;
    const uint32_t* cols;
    const uint32_t* coeff_ids;
    const void* coeffs;
    size_t ncoeffs;
} c2_csr;

/* An R1CS's matrices (mats[3], rows constraints each) uploaded to one GPU to stay there between quotients
 * (the matrices already checked): refused, with cudaErrorMemoryAllocation's code, unless `reserve` bytes
 * stay free beside them. */
c2_status c2_r1cs_new(int32_t device, const c2_csr* mats, size_t rows, size_t reserve, void** r1cs);
void c2_r1cs_free(void* r1cs);

/* A witness (nvars values, the first ninputs the inputs) as its code (native/src/witness_code.rs): per 32
 * variables three words (non-zero bits, general bits, general values before the group), then the ngeneral
 * values neither 0 nor 1, canonical. PoRep's is ~98% 0 and 1: the code is ~5% of the values' bytes. */
typedef struct {
    const uint32_t* groups;
    const void* values;
    size_t nvars, ninputs, ngeneral;
} c2_witness;

/* c2_quotient with A, B, C evaluated on the GPU from the R1CS mats[3] (rows constraints each), or from its
 * copy `resident` on this device (c2_r1cs_new; mats then unread), and its witness, sent as its code and
 * expanded on the GPU, the input constraints appended as bellperson does (A = the input, B = C = 0): only
 * the structure (none when resident) and the witness's code cross the bus, not three domain vectors.
 * With `h_table` (a G1 table on this device) H does not come back either: its first nout coefficients are
 * summed over the table's first nout points (c2_g1_msm_device) into h_sum, and out is not written. */
c2_status c2_quotient_r1cs(int32_t device, void* out, size_t nout, const c2_csr* mats, const void* resident,
                           size_t rows, const c2_witness* witness, uint32_t lg, const void* zinv,
                           void* h_table, void* h_sum);

#ifdef __cplusplus
}
#endif
#endif
