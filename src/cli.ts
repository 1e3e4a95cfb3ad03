/**
 * c2prover's command line. What exists today: backend discovery, Groth16 verification against a .vk, and
 * proving a circuit dumped by the reference oracle (the real PoRep circuit without our own synthesis).
 * `prove FILE` (Commit2In, as `lotus-bench prove`) arrives with circuit synthesis.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pickBackend } from './backends/index.ts';
import { readDumpedAssignment } from './groth16/dump.ts';
import { readVerifyingKeyFile } from './groth16/params-file.ts';
import { decodeProofs, encodeProofs, type Proof } from './groth16/proof.ts';
import { prove, type StageTimes } from './groth16/prove.ts';
import { loadProvingKey } from './groth16/proving-key.ts';
import { verifyProof } from './groth16/verify.ts';

const USAGE = `usage: c2prover <command> [options]
  info                                   the backend this machine gets, and why better ones were passed over
  prove-dump --params FILE --dump DIR    prove an oracle dump (DIR/p0, p1, ...); prints the proof hex
             [--sector-size BYTES] [--no-validate]
  verify --vk FILE --inputs FILE.json --proof HEX
                                         verify proofs (192 bytes per partition); inputs: {"partitions": [[hex, ...], ...]}
Environment: C2_BACKEND=cpu forces a backend.`;

async function partitions(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((d) => /^p\d+$/.test(d));
  names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  if (names.length === 0) throw new Error(`${dir} holds no partition folders (p0, p1, ...)`);
  return names.map((n) => join(dir, n));
}

async function info(): Promise<void> {
  const { backend, skipped } = pickBackend();
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  console.log(`backend: ${backend.name}`);
}

async function proveDump(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      params: { type: 'string' },
      dump: { type: 'string' },
      'sector-size': { type: 'string' },
      'no-validate': { type: 'boolean', default: false },
    },
  });
  if (!values.params || !values.dump) throw new Error('prove-dump needs --params and --dump');
  const { backend } = pickBackend();
  const pk = await loadProvingKey(backend, values.params, { validate: !values['no-validate'] });
  const times: StageTimes = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
  const t0 = performance.now();
  const proofs: Proof[] = [];
  for (const dir of await partitions(values.dump))
    proofs.push(await prove(backend, pk, await readDumpedAssignment(dir), {}, times));
  const secs = (performance.now() - t0) / 1000;
  pk.free();
  console.log(`proof: ${Buffer.from(encodeProofs(proofs)).toString('hex')}`);
  const size = Number(values['sector-size'] ?? 0);
  const rate = size > 0 ? ` (${(size / 1024 / secs).toFixed(3)} KiB/s)` : '';
  console.log(`seal: commit phase 2: ${secs.toFixed(3)}s${rate}`);
  console.error(
    `stages: quotient ${times.quotientMs.toFixed(0)} ms, G1 MSMs ${times.msmG1Ms.toFixed(0)} ms, G2 MSMs ${times.msmG2Ms.toFixed(0)} ms`,
  );
}

async function verify(args: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args,
    options: { vk: { type: 'string' }, inputs: { type: 'string' }, proof: { type: 'string' } },
  });
  if (!values.vk || !values.inputs || !values.proof)
    throw new Error('verify needs --vk, --inputs and --proof');
  const vk = await readVerifyingKeyFile(values.vk);
  const proofs = decodeProofs(Buffer.from(values.proof.trim(), 'hex'));
  const parsed = JSON.parse(await readFile(values.inputs, 'utf8')) as { partitions?: unknown };
  const parts = parsed.partitions;
  if (
    !Array.isArray(parts) ||
    !parts.every((p) => Array.isArray(p) && p.every((x) => typeof x === 'string'))
  ) {
    throw new Error(`${values.inputs}: expected {"partitions": [[hex, ...], ...]}`);
  }
  if (parts.length !== proofs.length)
    throw new Error(`${proofs.length} proofs for ${parts.length} partitions`);
  return proofs.every((proof, i) =>
    verifyProof(
      vk,
      proof,
      (parts[i] as string[]).map((h) => BigInt(h)),
    ),
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'info':
      await info();
      return 0;
    case 'prove-dump':
      await proveDump(rest);
      return 0;
    case 'verify': {
      const ok = await verify(rest);
      console.log(ok ? 'accepted' : 'rejected');
      return ok ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`c2prover: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
