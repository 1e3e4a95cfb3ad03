/** The job store suite against a real PostgreSQL: the shared store must behave as the embedded one. */
import { after, before, describe } from 'node:test';
import { PostgresJobStore } from '../../src/job/postgres-store.ts';
import { jobStoreSuite } from '../support/store-suite.ts';
import { pgSkip, startPostgres, type PgServer } from '../support/postgres.ts';

const skip = pgSkip();
if (skip) console.log(`# skipped: ${skip}`);

describe('PostgreSQL job store', { skip }, () => {
  let pg: PgServer;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  jobStoreSuite('shared store (PostgreSQL)', (name) =>
    PostgresJobStore.open(pg.url, { schema: `suite_${name}` }),
  );
});
