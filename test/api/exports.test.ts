/**
 * The library's public surface: package.json `exports` and src/api/*.ts name the same areas, the
 * root re-exports the curated areas and no internal helper, and importing `grasp-hil` loads none of
 * the libraries that are meant to load on first use (vega, vega-lite, resvg, mathjs, gRPC, pg) —
 * checked in a fresh process, counting ES modules with a loader hook and CommonJS ones in require.cache.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as internal from '../../src/internal.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const areas = readdirSync(join(repo, 'src/api')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();

/** Packages loaded (ES modules and CommonJS) by importing `entry` in a fresh `node --import tsx` process. */
function packagesLoadedBy(entry: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'exports-'));
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(join(dir, 'log'))}, url + '\\n'); return next(url, context); }\n`);
  const reg = join(dir, 'reg.mjs');
  writeFileSync(reg, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const code = `import { createRequire } from 'node:module'; await import(${JSON.stringify(pathToFileURL(join(repo, entry)).href)}); console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const cjs = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--import', reg, '--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8' }).trim().split('\n').at(-1)!) as string[];
  const esm = readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean).map((u) => (u.startsWith('file:') ? fileURLToPath(u) : u));
  const names = [...esm, ...cjs].map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

describe('public API', () => {
  it('package.json exports name exactly the areas in src/api, plus the root', () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2)).sort();
    expect(subpaths).toEqual(areas);
    for (const a of areas) expect(pkg.exports[`./${a}`]).toEqual({ types: `./dist/api/${a}.d.ts`, default: `./dist/api/${a}.js` });
  });

  it('the root exports the curated names and no internal helper', () => {
    for (const name of ['runExperiment', 'loadModel', 'attachMethod', 'Chip', 'loadProfile', 'train', 'buildReport', 'initBackend', 'Rng']) {
      expect(name in root, name).toBe(true);
    }
    for (const name of ['progressLine', 'closestName', 'enqueue', 'serveChip', 'linearTransposed', 'gatherTile']) {
      expect(name in root, name).toBe(false);
      expect(name in internal, name).toBe(true);
    }
    expect(Object.keys(root).length).toBeLessThan(Object.keys(internal).length / 2);
  });

  it("importing grasp-hil loads no renderer, mathjs, gRPC or PostgreSQL client", () => {
    const loaded = packagesLoadedBy('src/index.ts');
    expect(loaded).toContain('@tensorflow/tfjs-core'); // the hook sees packages at all
    for (const lazy of ['vega', 'vega-lite', '@resvg/resvg-js', 'mathjs', '@grpc/grpc-js', 'pg', 'graphile-worker']) expect(loaded, lazy).not.toContain(lazy);
  });
});
