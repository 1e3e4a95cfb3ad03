import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteJobStore } from '../../src/job/sqlite-store.ts';
import { jobStoreSuite } from '../support/store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'c2-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

jobStoreSuite('embedded store (node:sqlite)', (name) => new SqliteJobStore(join(dir, `${name}.sqlite`)));
