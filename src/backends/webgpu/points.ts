/**
 * The WebGPU backend's point kernels: G1 tables and MSMs on the GPU (g1-msm.ts); G2 tables and MSMs still
 * the CPU backend's until the Fq2 kernels land. A G1 table is made synchronously, as PointKernels wants,
 * and its GPU buffers once the device is open.
 */
import type { Group, PointKernels, PointTable } from '../backend.ts';
import { cpuBackend } from '../borrow.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import type { G1Msm, G1Table } from './g1-msm.ts';

class WebgpuG1Table implements PointTable {
  readonly group = 'g1' as const;
  length = 0;
  readonly table: Promise<G1Table>;
  constructor(table: Promise<G1Table>) {
    this.table = table;
    // a table the device failed to make rejects where it is used, not as an unhandled rejection here
    table.catch(() => {});
  }
}

export function webgpuPoints(msm: () => Promise<G1Msm>): PointKernels {
  const cpu = cpuBackend();
  return {
    newTable(group: Group, capacity: number): PointTable {
      if (group === 'g2') return cpu.newTable(group, capacity);
      if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0xffffffff)
        throw new RangeError(`capacity must be a u32, got ${capacity}`);
      return new WebgpuG1Table(msm().then((m) => m.newTable(capacity)));
    },
    async appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void> {
      if (!(table instanceof WebgpuG1Table)) return cpu.appendPoints(table, bytes, validate);
      const [m, t] = await Promise.all([msm(), table.table]);
      await m.appendPoints(t, bytes, validate);
      table.length = t.length;
    },
    freeTable(table: PointTable): void {
      if (!(table instanceof WebgpuG1Table)) return cpu.freeTable(table);
      void Promise.all([msm(), table.table]).then(
        ([m, t]) => m.freeTable(t),
        () => {},
      );
    },
    async msm(
      table: PointTable,
      start: number,
      scalars: FrVector,
      density?: Uint8Array,
    ): Promise<Uint8Array> {
      if (!(table instanceof WebgpuG1Table)) return cpu.msm(table, start, scalars, density);
      const [m, t] = await Promise.all([msm(), table.table]);
      return m.msm(t, start, scalars, density);
    },
  };
}
