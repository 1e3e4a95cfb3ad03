import { loadAddon } from './src/backends/cpu/index.ts';
import { sampleScalars } from './src/backends/profile.ts';
const a = loadAddon();
for (const bits of [false, true]) {
  const sc = sampleScalars(1 << 20, bits);
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const out = await a.msmSplitRuns(sc, undefined, 0, 1 << 24);
    console.log(bits ? 'porep' : 'random', 'split 2^20 ms', (performance.now() - t).toFixed(1), out.length);
  }
}
