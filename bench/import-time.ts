/**
 * Import time of the library's entry points, each in a fresh `node --import tsx` process (as
 * `node --import tsx -e "await import('./src/index.ts')"` does), measured in one run with the
 * entries interleaved so machine load hits them alike: the median of REPS wall times of the import
 * alone (timed inside the process), and the number of ES modules it loaded (a loader hook counts them).
 *
 * `before` rebuilds what `import 'grasp-hil'` loaded when src/index.ts re-exported every folder and
 * imported its heavy libraries eagerly: src/internal.ts (every folder's surface, gRPC and the
 * PostgreSQL queue included) plus mathjs, vega, vega-lite and resvg as ES modules. `grasp-hil` is the
 * curated API today; the area subpaths follow. Run: node --import tsx bench/import-time.ts [reps]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { report } from './util.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPS = Number(process.argv[2] ?? 5);
const src = (p: string) => JSON.stringify(pathToFileURL(join(root, p)).href);

const ENTRIES: Record<string, string[]> = {
  before: [src('src/internal.ts'), '"mathjs"', '"vega"', '"vega-lite"', '"@resvg/resvg-js"'],
  'grasp-hil': [src('src/index.ts')],
  ...Object.fromEntries(['tensor', 'model', 'peft', 'data', 'train', 'device', 'crossbar', 'experiment', 'report', 'hil', 'queue']
    .map((a) => [`grasp-hil/${a}`, [src(`src/api/${a}.ts`)]])),
  'internal (CLI)': [src('src/internal.ts')],
};

// A loader hook that appends every loaded module's URL to a file (one line each).
const dir = mkdtempSync(join(tmpdir(), 'import-time-'));
const hook = join(dir, 'hook.mjs');
writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(process.env.IMPORT_LOG, url + '\\n'); return next(url, context); }\n`);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);

function once(specifiers: string[], count: boolean): { ms: number; modules: number } {
  const log = join(dir, 'modules.txt');
  rmSync(log, { force: true });
  const code = `const t = performance.now(); for (const s of [${specifiers.join(',')}]) await import(s); console.log(performance.now() - t);`;
  const args = ['--import', 'tsx', ...(count ? ['--import', register] : []), '--input-type=module', '-e', code];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, IMPORT_LOG: log } });
  if (r.status !== 0) throw new Error(`import of ${specifiers.join(', ')} failed:\n${r.stderr}`);
  const modules = count ? new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean)).size : 0;
  return { ms: Number(r.stdout.trim().split('\n').at(-1)), modules };
}

const times = new Map<string, number[]>(Object.keys(ENTRIES).map((k) => [k, []]));
// Warm tsx's transform cache first, so every timed run compiles nothing.
for (const s of Object.values(ENTRIES)) once(s, false);
for (let r = 0; r < REPS; r++) for (const [name, s] of Object.entries(ENTRIES)) times.get(name)!.push(once(s, false).ms);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const before = median(times.get('before')!);
for (const [name, s] of Object.entries(ENTRIES)) {
  const ms = median(times.get(name)!);
  report(`import ${name}`, { ms: Math.round(ms), modules: once(s, true).modules, vsBefore: `${(ms / before).toFixed(2)}x`, reps: REPS });
}
rmSync(dir, { recursive: true, force: true });
