/**
 * Where Filecoin keeps Groth16 parameters and what the PoRep files are called: FIL_PROOFS_PARAMETER_CACHE
 * holds them under the names of parameters.json (the name comes from the circuit's identifier, so test
 * parameters made for the same circuit carry the same name but another digest).
 */
import { join } from 'node:path';

export const DEFAULT_PARAMETER_CACHE = '/var/tmp/filecoin-proof-parameters';

export function parameterCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FIL_PROOFS_PARAMETER_CACHE || DEFAULT_PARAMETER_CACHE;
}

interface PorepParams {
  /** File name without extension. */
  readonly name: string;
  /** parameters.json's digest of the production .params file. */
  readonly digest: string;
}

const PREFIX = 'v28-stacked-proof-of-replication-merkletree-poseidon_hasher';

// From parameters.json (v28): the PoRep circuits of the five production sector sizes.
const POREP: Record<number, PorepParams> = {
  2048: {
    name: `${PREFIX}-8-0-0-sha256_hasher-032d3138d22506ec0082ed72b2dcba18df18477904e35bafee82b3793b06832f`,
    digest: '434fb1338ecfaf0f59256f30dde4968f',
  },
  8388608: {
    name: `${PREFIX}-8-0-0-sha256_hasher-ecd683648512ab1765faa2a5f14bab48f676e633467f0aa8aad4b55dcb0652bb`,
    digest: '09e612e4eeb7a0eb95679a88404f960c',
  },
  536870912: {
    name: `${PREFIX}-8-0-0-sha256_hasher-6babf46ce344ae495d558e7770a585b2382d54f225af8ed0397b8be7c3fcd472`,
    digest: '6c77597eb91ab936c1cef4cf19eba1b3',
  },
  34359738368: {
    name: `${PREFIX}-8-8-0-sha256_hasher-82a357d2f2ca81dc61bb45f4a762807aedee1b0a53fd6c4e77b46a01bfef7820`,
    digest: '6a388072a518cf46ebd661f5cc46900a',
  },
  68719476736: {
    name: `${PREFIX}-8-8-2-sha256_hasher-96f1b4a04c5c51e4759bbf224bbc2ef5a42c7100f16ec0637123f16a845ddfb2`,
    digest: '1801f8a6e1b00bceb00cc27314bb5ce3',
  },
};

/** The sector sizes with published PoRep parameters. */
export const PRODUCTION_SECTOR_SIZES: readonly number[] = Object.keys(POREP).map(Number);

export interface PorepParamsFiles {
  params: string;
  vk: string;
  /** The production digest, to check only when production parameters are expected. */
  productionDigest: string;
}

/** The .params and .vk paths of the PoRep circuit of a production sector size. */
export function porepParamsFiles(sectorSize: number, dir = parameterCacheDir()): PorepParamsFiles {
  const p = POREP[sectorSize];
  if (!p) throw new RangeError(`no PoRep parameters are published for sector size ${sectorSize}`);
  return { params: join(dir, `${p.name}.params`), vk: join(dir, `${p.name}.vk`), productionDigest: p.digest };
}
