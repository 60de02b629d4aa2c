/**
 * Queue workers as real OS processes (`node --import tsx src/cli/main.ts worker …`), each with its
 * own reports folder, as on machines without a shared filesystem; and a polling helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Proc { child: ChildProcess; log: () => string; exited: Promise<number | null> }

/** Starts `grasp-hil worker` on the wasm backend with a fresh reports folder; extra flags appended. */
export function worker(url: string, name: string, extra: string[] = []): Proc {
  const reports = mkdtempSync(join(tmpdir(), `qworker-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'worker', '--queue', url, '--backend', 'wasm', '--reports', reports, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => out, exited };
}

/** Polls f every 200 ms until it returns something truthy; errors thrown by f count as "not yet". */
export async function until<T>(what: string, f: () => Promise<T | null | undefined | false | 0>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
