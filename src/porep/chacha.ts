/**
 * The ChaCha block function (Bernstein), for the two PRNG uses in PoRep:
 * - rand_chacha's ChaCha8Rng seeds the DRG parent sampling (64-bit block counter, zero stream id);
 * - RustCrypto's ChaCha20 (IETF: 32-bit counter, 96-bit nonce) draws synthetic challenges.
 * Both put the block counter in word 12; with counters below 2^32 and a zero stream id the two layouts give
 * the same keystream, so one function serves both. No dependency is needed for ~40 lines of arithmetic.
 */

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const; // "expand 32-byte k"

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function quarter(x: Uint32Array, a: number, b: number, c: number, d: number): void {
  x[a] = x[a]! + x[b]!;
  x[d] = rotl(x[d]! ^ x[a]!, 16);
  x[c] = x[c]! + x[d]!;
  x[b] = rotl(x[b]! ^ x[c]!, 12);
  x[a] = x[a]! + x[b]!;
  x[d] = rotl(x[d]! ^ x[a]!, 8);
  x[c] = x[c]! + x[d]!;
  x[b] = rotl(x[b]! ^ x[c]!, 7);
}

const work = new Uint32Array(16);

/** One 64-byte block as 16 little-endian words, written into `out`. */
export function chachaBlock(
  rounds: number,
  key: Uint32Array,
  counter: number,
  nonce: Uint32Array,
  out: Uint32Array,
): void {
  out.set(SIGMA, 0);
  out.set(key, 4);
  out[12] = counter;
  out.set(nonce, 13);
  const x = work;
  x.set(out);
  for (let r = 0; r < rounds; r += 2) {
    quarter(x, 0, 4, 8, 12);
    quarter(x, 1, 5, 9, 13);
    quarter(x, 2, 6, 10, 14);
    quarter(x, 3, 7, 11, 15);
    quarter(x, 0, 5, 10, 15);
    quarter(x, 1, 6, 11, 12);
    quarter(x, 2, 7, 8, 13);
    quarter(x, 3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) out[i] = out[i]! + x[i]!;
}

/** Little-endian words of a byte string whose length is a multiple of 4. */
export function wordsLe(bytes: Uint8Array): Uint32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(4 * i, true);
  return out;
}

const ZERO_NONCE = new Uint32Array(3);

/**
 * `length` keystream bytes starting at byte `offset` (seeking as StreamCipherSeek does): the block counter
 * starts at offset / 64 and the first offset % 64 bytes of that block are skipped.
 */
export function chachaKeystream(
  rounds: number,
  key: Uint8Array,
  nonce: Uint8Array | null,
  offset: number,
  length: number,
): Uint8Array {
  const k = wordsLe(key);
  const n = nonce ? wordsLe(nonce) : ZERO_NONCE;
  const out = new Uint8Array(length);
  const block = new Uint32Array(16);
  const bytes = new Uint8Array(block.buffer); // little-endian hosts only, as Node on x86/arm
  let counter = Math.floor(offset / 64);
  let skip = offset % 64;
  for (let pos = 0; pos < length; counter++) {
    if (counter > 0xffffffff) throw new RangeError('ChaCha keystream exhausted (32-bit block counter)');
    chachaBlock(rounds, k, counter, n, block);
    const take = Math.min(64 - skip, length - pos);
    out.set(bytes.subarray(skip, skip + take), pos);
    pos += take;
    skip = 0;
  }
  return out;
}
