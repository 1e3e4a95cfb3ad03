/**
 * The prover id and replica id that verify_seal recomputes: a Commit2In carries replica_id, but the chain
 * derives it from the miner, the sector number, the ticket and comm_d, so an input sealed for another
 * miner or sector must be refused before any proving.
 */
import { frToBytes } from '../shared/fr.ts';
import { sha256Fr } from '../shared/sha256.ts';

/** lotus' prover id: the uvarint (LEB128) of the miner's actor id, zero padded to 32 bytes. */
export function proverIdFromMiner(miner: string): Uint8Array {
  const m = /^[tf]0(\d{1,20})$/.exec(miner);
  if (!m) throw new RangeError(`miner must be an ID address like t01000, got ${JSON.stringify(miner)}`);
  let id = BigInt(m[1]!);
  if (id >= 1n << 64n) throw new RangeError(`miner actor id ${id} does not fit 64 bits`);
  const out = new Uint8Array(32);
  let i = 0;
  do {
    const byte = Number(id & 0x7fn);
    id >>= 7n;
    out[i++] = id > 0n ? byte | 0x80 : byte;
  } while (id > 0n);
  return out;
}

/** storage-proofs' generate_replica_id: SHA-256 over the sealing identity, its top two bits cleared. */
export function replicaId(
  proverId: Uint8Array,
  sectorNum: number | bigint,
  ticket: Uint8Array,
  commD: bigint,
  porepId: Uint8Array,
): bigint {
  const sector = Buffer.alloc(8);
  sector.writeBigUInt64BE(BigInt(sectorNum));
  return sha256Fr([proverId, sector, ticket, frToBytes(commD), porepId]);
}
