/**
 * `npm run bench`: runs every benchmark script under bench/ one after another in fresh processes
 * (each measures its ratios within one run). Pass names to run a subset: npm run bench -- linear forward
 * The results-table script `methods` (about an hour per task) and `tokenizers-hf` (needs a package that is not a
 * dependency) run only when named.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const skip = new Set(['run.ts', 'util.ts']);
const onRequest = new Set(['methods.ts', 'tokenizers-hf.ts']);
const wanted = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !skip.has(f))
  .filter((f) => (wanted.length === 0 ? !onRequest.has(f) : wanted.includes(f.replace(/\.ts$/, ''))));
let failed = 0;
for (const s of scripts) {
  console.log(`\n== bench/${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${s}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
