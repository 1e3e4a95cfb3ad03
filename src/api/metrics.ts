/**
 * Prometheus metrics (prom-client): proofs and failures by code, stage durations as histograms, queue
 * depth, running jobs, parameters and structures held, the backend, and the process' own (memory, event
 * loop).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobRecord } from '../job/job-record.ts';
import type { ParamsKeeper } from '../job/params-keeper.ts';
import type { JobRunner } from '../job/runner.ts';
import type { JobStore } from '../job/store.ts';

export interface Metrics {
  registry: Registry;
  /** An answer with an error code (refused input, full queue, ...). */
  countError(code: string): void;
}

const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export function createMetrics(runner: JobRunner, store: JobStore, params: ParamsKeeper): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'c2_process_' });
  const proofs = new Counter({
    name: 'c2_proofs_total',
    help: 'Commit2 proofs made and verified',
    labelNames: ['sector_size', 'backend'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'c2_job_failures_total',
    help: 'jobs that ended without a proof, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'c2_http_errors_total',
    help: 'error answers, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'c2_stage_seconds',
    help: 'time of each Commit2 stage',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'c2_queue_depth',
    help: 'jobs waiting',
    registers: [registry],
    async collect() {
      this.set(await store.count(['Queued']));
    },
  });
  new Gauge({
    name: 'c2_running_jobs',
    help: 'jobs running on this node',
    registers: [registry],
    collect() {
      this.set(runner.runningCount());
    },
  });
  new Gauge({
    name: 'c2_params_held_bytes',
    help: 'bytes of Groth16 parameters loaded',
    registers: [registry],
    collect() {
      this.set(params.heldBytes());
    },
  });
  new Gauge({
    name: 'c2_structures_held_bytes',
    help: 'bytes of circuit structures kept in memory between jobs',
    registers: [registry],
    collect() {
      this.set(runner.structures.heldBytes());
    },
  });
  new Gauge({
    name: 'c2_backend_info',
    help: 'the proving backend of this node',
    labelNames: ['backend'],
    registers: [registry],
    // read at each scrape: a GPU failure moves the node to its fallback backend
    collect() {
      this.reset();
      this.set({ backend: runner.backend.name }, 1);
    },
  });
  runner.on('job', (job: JobRecord) => {
    if (job.state === 'Done' && job.result) {
      proofs.inc({ sector_size: String(job.request.sectorSize), backend: job.result.backend });
      for (const [k, ms] of Object.entries(job.result.stages))
        stages.observe({ stage: k.replace(/Ms$/, '') }, ms / 1000);
    } else if ((job.state === 'BadInput' || job.state === 'Failed') && job.error)
      failures.inc({ code: job.error.code });
  });
  return { registry, countError: (code) => errors.inc({ code }) };
}
