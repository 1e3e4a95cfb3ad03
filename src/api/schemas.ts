/**
 * The HTTP bodies, as zod schemas: fastify validates requests with them and the OpenAPI document is made
 * from them. They check the envelope only; the Commit2 input itself is checked in depth by the job layer
 * (porep/commit2-input.ts), whose every problem comes back with its JSON path.
 */
import { z } from 'zod';
import { jobSchema, jobWithLogSchema, prioritySchema, proofResultSchema } from '../job/job-record.ts';
import { SEAL_PROOF_NAMES } from '../porep/registered-proof.ts';

const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const minerSchema = z
  .union([z.string().regex(/^[tf]0\d{1,20}$/, { error: 'expected an ID address like t01000' }), u64])
  .meta({
    description:
      'the miner the sector was sealed for: an ID address (t01000, f01000) or its actor number; default t01000 as in lotus-bench',
    example: 't01000',
  });

/** lotus' Commit2In as `lotus-bench sealing --save-commit2-input` writes it, plus who and how urgent. */
export const commit2RequestSchema = z
  .looseObject({
    SectorNum: u64,
    Phase1Out: z.string().meta({ description: 'base64 of the SealCommitPhase1Output JSON' }),
    SectorSize: u64,
    Miner: minerSchema.optional(),
    Priority: prioritySchema.optional(),
  })
  .meta({ id: 'Commit2Request' });
export type Commit2Request = z.infer<typeof commit2RequestSchema>;

/** lotus' api.RemoteCommit2Params, as Go's encoding/json writes it ([]byte as base64). */
export const lotusCommit2Schema = z
  .object({
    Sector: z.object({ Miner: u64, Number: u64 }),
    ProofType: z
      .number()
      .int()
      .min(0)
      .max(SEAL_PROOF_NAMES.length - 1)
      .meta({ description: 'abi.RegisteredSealProof (8: StackedDrg32GiBV1_1)' }),
    Commit1Out: z.string().meta({ description: 'base64 of the SealCommitPhase1Output JSON' }),
  })
  .meta({ id: 'RemoteCommit2Params' });

export const commit2ResponseSchema = proofResultSchema
  .extend({
    id: z.string(),
    joined: z
      .boolean()
      .meta({ description: 'the request joined a job of the same content instead of proving again' }),
    registeredProof: z.string(),
    sectorNum: z.number().int(),
    sectorSize: z.number().int(),
    miner: z.string(),
  })
  .meta({ id: 'Commit2Response' });
export type Commit2Response = z.infer<typeof commit2ResponseSchema>;

export const jobAcceptedSchema = z
  .object({ joined: z.boolean(), job: jobSchema })
  .meta({ id: 'JobAccepted' });

export const jobListSchema = z.object({ jobs: z.array(jobSchema) }).meta({ id: 'JobList' });

export const jobIdParamsSchema = z.object({ id: z.string().max(100) });

export const jobListQuerySchema = z.object({
  state: z.string().optional().meta({ description: 'comma-separated states' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export { jobWithLogSchema };
