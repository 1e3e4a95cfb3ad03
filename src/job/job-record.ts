/**
 * What the service keeps of a Commit2 job, as zod schemas: the HTTP answers, the OpenAPI document and the
 * stores all take their types from here, so a field is written once.
 */
import { z } from 'zod';
import { errorCodeSchema } from '../shared/errors.ts';

/**
 * The states of a job (see fsm.ts for how events move between them). Running states are the ones a node
 * holds a lease on; terminal states never change again, except that Failed and Cancelled jobs are queued
 * anew when the same content is submitted again.
 */
export const JOB_STATES = [
  'Queued',
  'Checking',
  'Synthesizing',
  'LoadingParams',
  'Proving',
  'ProofRejected',
  'WorkerLost',
  'Done',
  'BadInput',
  'Failed',
  'Cancelled',
] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

export const RUNNING_STATES: readonly JobState[] = ['Checking', 'Synthesizing', 'LoadingParams', 'Proving'];
/**
 * States a job passes through between a failure and its handler's Retry or Failed. The lease a job held
 * when it failed stays on it here (heartbeats no longer renew it), so a job whose node stopped before
 * handling its failure is found once that lease runs out and handled elsewhere.
 */
export const FAILURE_STATES = ['ProofRejected', 'WorkerLost'] as const;
export type FailureState = (typeof FAILURE_STATES)[number];
export const isFailureState = (s: JobState): s is FailureState =>
  (FAILURE_STATES as readonly string[]).includes(s);
export const TERMINAL_STATES: readonly JobState[] = ['Done', 'BadInput', 'Failed', 'Cancelled'];
export const isTerminal = (s: JobState): boolean => TERMINAL_STATES.includes(s);

export const PRIORITIES = ['low', 'normal', 'high'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

/** A coded error as the API answers it: the code is stable, the message says what and where. */
export const errorBodySchema = z
  .object({
    code: errorCodeSchema,
    message: z.string(),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'each problem found in the input, with its JSON path' }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const jobEventSchema = z
  .object({
    seq: z.number().int(),
    at: z.iso.datetime(),
    kind: z.string().meta({ example: 'StageDone' }),
    state: jobStateSchema.meta({ description: 'the state the event led to' }),
    message: z.string(),
    error: errorBodySchema.extend({ trace: z.string().optional() }).optional(),
  })
  .meta({ id: 'JobEvent' });
export type JobEvent = z.infer<typeof jobEventSchema>;

export const stagesSchema = z
  .object({
    parseMs: z.number(),
    checkMs: z.number(),
    synthesisMs: z.number(),
    paramsMs: z.number(),
    assignMs: z.number(),
    quotientMs: z.number(),
    msmG1Ms: z.number(),
    msmG2Ms: z.number(),
    verifyMs: z.number(),
    totalMs: z.number(),
  })
  .meta({ id: 'Stages', description: 'milliseconds spent in each stage of the Commit2' });

export const parametersUsedSchema = z
  .object({
    file: z.string(),
    kind: z.enum(['production', 'test']).meta({
      description:
        'production: the file digest equals parameters.json (the trusted setup); test: random parameters, whose proofs the network rejects',
    }),
    digest: z.string(),
    digestChecked: z.boolean(),
  })
  .meta({ id: 'ParametersUsed' });
export type ParametersUsed = z.infer<typeof parametersUsedSchema>;

export const proofResultSchema = z
  .object({
    proof: z.string().meta({ description: 'hex, 192 bytes per partition, as lotus-bench prove prints it' }),
    proofBytes: z.number().int(),
    partitions: z.number().int(),
    backend: z.string(),
    parameters: parametersUsedSchema,
    stages: stagesSchema,
    kibPerSecond: z.number(),
    verified: z.literal(true).meta({ description: 'the proof was verified before it was returned' }),
  })
  .meta({ id: 'ProofResult' });
export type ProofResult = z.infer<typeof proofResultSchema>;

/** What a job proves: the request as the store keeps it (the input itself is kept beside it). */
export const jobRequestSchema = z.object({
  miner: z.string(),
  sectorNum: z.number().int(),
  sectorSize: z.number().int(),
  registeredProof: z.string(),
  proofType: z.number().int(),
  /** SHA-256 of the decoded Phase1Out. */
  phase1Sha256: z.string(),
  allowTestParams: z.boolean(),
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

export const jobSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'from the content: miner, sector, proof type and the Phase1Out hash' }),
    state: jobStateSchema,
    priority: prioritySchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    attempts: z.number().int().meta({ description: 'times the work was started' }),
    node: z.string().optional().meta({ description: 'the node that runs the job, or ran it last' }),
    request: jobRequestSchema,
    progress: z.string().optional().meta({ description: 'the last stage done, for people watching' }),
    result: proofResultSchema.optional(),
    error: errorBodySchema.optional(),
  })
  .meta({ id: 'Job' });
export type JobRecord = z.infer<typeof jobSchema>;

export const jobWithLogSchema = jobSchema.extend({ log: z.array(jobEventSchema) }).meta({ id: 'JobWithLog' });
