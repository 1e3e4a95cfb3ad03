/**
 * The CUDA backend where there is no GPU (CI, this project's machines): the addon, built with CUDA code
 * or without, loads and says what it is; pickBackend passes CUDA over with that reason and lands on the
 * CPU; C2_BACKEND=cuda fails with a coded error; GPU failures become C2_GPU_FAILED. What needs a GPU is in
 * cuda-gpu.test.ts. C2_CUDA_COMPILED=1 (CI, after scripts/ci/cuda.sh) makes a CPU-only addon a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { NoBackendError, pickBackend } from '../../src/backends/index.ts';
import { cudaAddon, cudaInfo } from '../../src/backends/cuda/addon.ts';
import {
  checkDevices,
  codeFor,
  cudaVersion,
  g2Placement,
  gpuFailure,
  listedArchs,
  probeCuda,
} from '../../src/backends/cuda/index.ts';
import { ProverError } from '../../src/shared/errors.ts';
import { ADDON_PATH } from '../../src/backends/cpu/index.ts';
import { elfSections, fatbins } from '../support/fatbin.ts';
import { Rng, nativeBackend, randomPoints } from '../support/backend-helpers.ts';
import { randomR1cs, rejectsBadR1cs } from '../support/random-r1cs.ts';

const native = await nativeBackend();
const info = native ? cudaInfo() : undefined;
const noGpu = !info?.devices.length;

test(
  'the addon says whether it holds CUDA code, and loads without a driver either way',
  { skip: !native },
  () => {
    assert.ok(info);
    assert.equal(typeof info.compiled, 'boolean');
    if (process.env.C2_CUDA_COMPILED === '1')
      assert.equal(info.compiled, true, 'built with nvcc, yet no CUDA code');
    if (!info.compiled) {
      assert.throws(() => probeCuda(), /addon built without CUDA: run `bash scripts\/ci\/cuda.sh`/);
      return;
    }
    assert.match(info.archs, /^\d+[a-z]?(,\d+[a-z]?)*$/);
    assert.ok(info.runtimeVersion >= 13000, `runtime ${info.runtimeVersion}`);
    if (noGpu) {
      // no driver: CUDA's own words (insufficient driver, no device), never a crash
      assert.match(info.error ?? '', /^CUDA error -?\d+: /);
      assert.throws(() => probeCuda(), /no CUDA device \((no CUDA driver|driver [\d.]+)\): CUDA error/);
    }
  },
);

test(
  'the addon carries SASS of every kernel for each architecture it names, and PTX of the newest',
  { skip: !info?.compiled },
  () => {
    // what a GPU would load, read from the file: real code means no JIT at start on the GPUs named, and
    // the PTX serves newer ones. A device link (relocatable device code) keeps SASS only.
    const file = readFileSync(ADDON_PATH);
    assert.ok(
      !elfSections(file).has('__nv_relfatbin'),
      'relocatable device code: its PTX is dropped at the link',
    );
    const archs = listedArchs(info!.archs).map((a) => a.cc);
    const newest = Math.max(...archs);
    const units = fatbins(file);
    assert.ok(units.length >= 4, `${units.length} fat binaries: one per CUDA file expected`);
    let kernels = 0;
    for (const [u, entries] of units.entries()) {
      const ptx = entries.filter((e) => e.kind === 'ptx');
      assert.deepEqual(
        ptx.map((e) => e.arch),
        [newest],
        `fat binary ${u}: PTX for ${ptx.map((e) => e.arch).join(',') || 'nothing'}, not ${newest}`,
      );
      kernels += ptx[0]!.functions.size;
      for (const arch of archs) {
        const sass = entries.filter((e) => e.kind === 'sass' && e.arch === arch);
        assert.equal(sass.length, 1, `fat binary ${u}: ${sass.length} SASS entries for sm_${arch}`);
        const missing = [...ptx[0]!.functions].filter((k) => !sass[0]!.functions.has(k));
        assert.deepEqual(missing, [], `fat binary ${u}: kernels without sm_${arch} code`);
      }
    }
    // the MSMs' and the NTT's kernels (31 when written): not an empty build that passes the checks above
    assert.ok(kernels >= 20, `${kernels} kernels in all`);
  },
);

test(
  'with no GPU, pickBackend passes CUDA over with its reason and lands on the CPU',
  { skip: !native || !noGpu },
  () => {
    const saved = process.env.C2_BACKEND;
    delete process.env.C2_BACKEND;
    try {
      const { backend, skipped } = pickBackend();
      const cuda = skipped.find((s) => s.name === 'cuda');
      assert.ok(cuda, `cuda not among the skipped: ${JSON.stringify(skipped)}`);
      assert.match(cuda.reason, /addon built without CUDA|no CUDA device/);
      assert.match(backend.name, /^(cpu|webgpu)/);
    } finally {
      if (saved !== undefined) process.env.C2_BACKEND = saved;
    }
  },
);

test(
  'C2_BACKEND=cuda with no GPU fails with C2_BACKEND_UNAVAILABLE and the reason',
  { skip: !native || !noGpu },
  () => {
    assert.throws(
      () => pickBackend('cuda'),
      (e: unknown) =>
        e instanceof NoBackendError &&
        e.code === 'C2_BACKEND_UNAVAILABLE' &&
        /cuda: (addon built without CUDA|no CUDA device)/.test(e.message),
    );
  },
);

test(
  "CudaR1cs with no GPU: checked on its first quotient, then held to that shape; the upload fails with CUDA's error",
  { skip: !info?.compiled || !noGpu },
  async () => {
    const h = new (cudaAddon().CudaR1cs)();
    assert.deepEqual(h.state, ['none']);
    await rejectsBadR1cs((r, i, a) => h.quotient(r, i, a), 'cuda-resident-nogpu', false);
    const { r1cs, inputs, aux } = randomR1cs('cuda-resident-nogpu', 50, 2, 40);
    await assert.rejects(h.quotient(r1cs, inputs, aux), /^Error: CUDA error -?\d+: R1CS upload: /);
    assert.deepEqual(h.state, ['none'], 'a failed upload is not taken for a structure that does not fit');
    // checked once: a later call of another shape is refused, one of the same shape checks its witness
    const other = randomR1cs('cuda-resident-other', 51, 2, 40);
    await assert.rejects(
      h.quotient(other.r1cs, other.inputs, other.aux),
      /quotientR1cs: an R1CS of 51 constraints over 42 variables, .* not the resident one's 50 constraints/,
    );
    const big = aux.slice();
    big.fill(0xff, 32 * 3, 32 * 4);
    await assert.rejects(h.quotient(r1cs, inputs, big), /aux: scalar 3 is not reduced/);
    h.free();
    assert.deepEqual(h.state, ['none']);
  },
);

test(
  "quotientMsm with no GPU: the h table checked before any GPU work, then the upload fails with CUDA's error",
  { skip: !info?.compiled || !noGpu },
  async () => {
    const { CudaR1cs, CudaTable } = cudaAddon();
    const h = new CudaR1cs();
    // 52 constraints and inputs: a domain of 64, H of 63
    const { r1cs, inputs, aux } = randomR1cs('cuda-quotient-msm-nogpu', 50, 2, 40);
    const pts = await randomPoints(native!, 'g1', new Rng('cuda-quotient-msm-nogpu'), 63);
    const short = new CudaTable('g1', 63);
    await short.append(pts.subarray(0, 10 * 96), false);
    await assert.rejects(
      h.quotientMsm(r1cs, inputs, aux, short),
      /msm: needs bases \[0, 63\) but the table holds 10/,
    );
    await short.append(pts.subarray(10 * 96), false);
    await assert.rejects(h.quotientMsm(r1cs, inputs, aux, short), /^Error: CUDA error -?\d+: R1CS upload: /);
    assert.throws(
      () => h.quotientMsm(r1cs, inputs, aux, new CudaTable('g2', 1)),
      /the h query is a g1 table, not g2/,
    );
    const big = aux.slice();
    big.fill(0xff, 32 * 3, 32 * 4);
    await assert.rejects(h.quotientMsm(r1cs, inputs, big, short), /aux: scalar 3 is not reduced/);
    short.free();
  },
);

test('a GPU failure becomes C2_GPU_FAILED; a bad input stays what it was', () => {
  const oom = gpuFailure('a g1 MSM', new Error('CUDA error -2: cudaMalloc of a point table: out of memory'));
  assert.ok(oom instanceof ProverError);
  assert.equal(oom.code, 'C2_GPU_FAILED');
  assert.match(oom.message, /^GPU failure in a g1 MSM: CUDA error -2: .*out of memory/);
  const bad = new Error('msm: scalar 3 is not reduced modulo r');
  assert.equal(gpuFailure('a g1 MSM', bad), bad);
});

test('C2_CUDA_G2 places the G2 MSMs on the GPU (default) or the CPU, and names what else it takes', () => {
  assert.equal(g2Placement(undefined), 'gpu');
  assert.equal(g2Placement(''), 'gpu');
  assert.equal(g2Placement('cpu'), 'cpu');
  assert.throws(() => g2Placement('host'), /C2_CUDA_G2 must be one of gpu, cpu, got "host"/);
});

test('a GPU is matched with the SASS its major runs, the newest PTX above the list, or nothing', () => {
  const list = '80,86,89,90,100,120';
  assert.equal(codeFor('8.0', list), 'sass');
  assert.equal(codeFor('8.7', list), 'sass', 'sm_86 runs on 8.7');
  assert.equal(codeFor('10.3', list), 'sass', 'sm_100 runs on a B300');
  assert.equal(codeFor('12.1', list), 'sass');
  assert.equal(codeFor('13.0', list), 'ptx');
  assert.equal(codeFor('7.5', list), 'none', 'a T4 is older than every architecture');
  assert.equal(codeFor('10.0', '80,86,89,90,120'), 'none', 'the PTX of 12.0 does not run on 10.0');
  assert.equal(codeFor('8.9', '90'), 'none');
  assert.equal(codeFor('9.0', '90a'), 'sass');
  assert.equal(codeFor('10.0', '90a'), 'ptx');
  assert.equal(codeFor('9.0', ''), 'none');
});

test('checkDevices names the GPUs the addon has no code for, and the build that would have it', () => {
  const gpu = (name: string, compute: string) => ({
    name,
    compute,
    smCount: 40,
    totalMem: 16e9,
    freeMem: 15e9,
  });
  const info = (...devices: ReturnType<typeof gpu>[]) => ({
    compiled: true,
    archs: '80,86,89,90,100,120',
    runtimeVersion: 13000,
    driverVersion: 13000,
    devices,
  });
  const h200 = info(gpu('NVIDIA H200', '9.0'), gpu('NVIDIA H200', '9.0'));
  assert.equal(checkDevices(h200), h200);
  assert.throws(
    () => checkDevices(info(gpu('Tesla T4', '7.5'))),
    /^Error: no code in this addon for Tesla T4 \(sm_75\): built for sm_80, sm_86, .*, sm_120; rebuild with C2_CUDA_ARCHS=80,86,89,90,100,120,75 \(native\/build.sh\)$/,
  );
  // a mixed node: the T4 would fail every kernel dispatched to it
  assert.throws(
    () => checkDevices(info(gpu('NVIDIA A100', '8.0'), gpu('Tesla T4', '7.5'))),
    /no code in this addon for Tesla T4 \(sm_75\): .*, or leave it out with CUDA_VISIBLE_DEVICES$/,
  );
  assert.throws(
    () => checkDevices({ ...info(), driverVersion: 0, error: 'CUDA error 35: insufficient driver' }),
    /^Error: no CUDA device \(no CUDA driver\): CUDA error 35/,
  );
  assert.throws(() => checkDevices({ ...h200, compiled: false }), /addon built without CUDA/);
});

test("CUDA's version integers read as people write them", () => {
  assert.equal(cudaVersion(13000), '13.0');
  assert.equal(cudaVersion(12080), '12.8');
});

const cargo = spawnSync('bash', ['-c', 'command -v cargo']).status === 0;

test(
  'native/build.sh: C2_CUDA=1 without nvcc fails before building, naming the way to get it',
  { skip: cargo ? false : 'no cargo here' },
  () => {
    const script = fileURLToPath(new URL('../../native/build.sh', import.meta.url));
    const r = spawnSync('bash', [script], {
      env: { ...process.env, C2_CUDA: '1', NVCC: '/nonexistent/nvcc' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /C2_CUDA=1 but no nvcc found: run bash scripts\/ci\/cuda.sh/);
  },
);
