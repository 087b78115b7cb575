// Writes schema/brief.schema.json from the brief's zod schema (through the built library), so the
// published JSON Schema never drifts from what Baton accepts. Run after `npm run build`.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { briefJsonSchemaText } from '../dist/brief/json-schema.js';

const target = fileURLToPath(new URL('../schema/brief.schema.json', import.meta.url));
await writeFile(target, briefJsonSchemaText());
console.log(`wrote ${target}`);
