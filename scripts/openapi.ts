// `npm run openapi`: writes the OpenAPI document the code makes to openapi/c2prover.json, and the typed
// client's paths generated from it (openapi-typescript) to test/support/c2prover-api.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_TYPES_FILE, OPENAPI_FILE, openapiDocument, serializeDocument } from '../src/api/openapi.ts';
import { generateClientTypes } from '../test/support/openapi-client.ts';

const doc = fileURLToPath(OPENAPI_FILE);
mkdirSync(dirname(doc), { recursive: true });
writeFileSync(doc, serializeDocument(await openapiDocument()));
console.log(`wrote ${doc}`);
writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes(OPENAPI_FILE));
console.log(`wrote ${fileURLToPath(CLIENT_TYPES_FILE)}`);
