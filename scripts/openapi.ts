// Writes the OpenAPI document the code makes to openapi/c2prover.json (`npm run openapi`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { OPENAPI_FILE, openapiDocument, serializeDocument } from '../src/api/openapi.ts';

const path = fileURLToPath(OPENAPI_FILE);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, serializeDocument(await openapiDocument()));
console.log(`wrote ${path}`);
