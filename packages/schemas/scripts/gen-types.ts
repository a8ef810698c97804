import { writeFileSync } from 'node:fs';
import { loadCatalog } from '../src/catalog.js';
import { generatePayloadTypes } from '../src/typegen.js';

const out = new URL('../src/generated/payloads.ts', import.meta.url);
writeFileSync(out, generatePayloadTypes(loadCatalog()));
console.log(`wrote ${out.pathname}`);
