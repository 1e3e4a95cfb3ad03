/**
 * The WebGPU backend's point kernels: G1 and G2 tables and MSMs on the GPU (msm.ts). A table is made
 * synchronously, as PointKernels wants, and its GPU buffers once the device is open.
 */
import type { Group, PointKernels, PointTable } from '../backend.ts';
import type { Scalars } from '../../shared/compact-witness.ts';
import type { CurveMsm, GpuTable } from './msm.ts';

export class WebgpuTable implements PointTable {
  readonly group: Group;
  length = 0;
  readonly table: Promise<GpuTable>;
  constructor(group: Group, table: Promise<GpuTable>) {
    this.group = group;
    this.table = table;
    // a table the device failed to make rejects where it is used, not as an unhandled rejection here
    table.catch(() => {});
  }
}

function own(table: PointTable): WebgpuTable {
  if (!(table instanceof WebgpuTable)) throw new TypeError('table was not created by the WebGPU backend');
  return table;
}

/** The GPU table behind a table of the backend's, once its buffers are made. */
export function gpuTable(table: PointTable): Promise<GpuTable> {
  return own(table).table;
}

export function webgpuPoints(msm: (group: Group) => Promise<CurveMsm>): PointKernels {
  return {
    newTable(group: Group, capacity: number): PointTable {
      if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0xffffffff)
        throw new RangeError(`capacity must be a u32, got ${capacity}`);
      return new WebgpuTable(
        group,
        msm(group).then((m) => m.newTable(capacity)),
      );
    },
    async appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void> {
      const w = own(table);
      const [m, t] = await Promise.all([msm(w.group), w.table]);
      await m.appendPoints(t, bytes, validate);
      w.length = t.length;
    },
    freeTable(table: PointTable): void {
      const w = own(table);
      void Promise.all([msm(w.group), w.table]).then(
        ([m, t]) => m.freeTable(t),
        () => {},
      );
    },
    async msm(table: PointTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array> {
      const w = own(table);
      const [m, t] = await Promise.all([msm(w.group), w.table]);
      return m.msm(t, start, scalars, density);
    },
  };
}
