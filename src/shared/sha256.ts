/**
 * SHA-256 as filecoin maps it into Fr (Sha256Domain, generate_replica_id, the labels): the digest read
 * little-endian with its top two bits cleared, so every hash is a canonical field element.
 */
import { createHash } from 'node:crypto';
import { bigintFromLe } from './fr.ts';

export function sha256Fr(parts: readonly Uint8Array[]): bigint {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  const d = h.digest();
  d[31]! &= 0x3f;
  return bigintFromLe(d);
}
