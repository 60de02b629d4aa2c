/** `grasp-hil chip serve` in a child process (as deployed) on a free loopback port; resolves once it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServedChip {
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function serveChild(args: string[], backend = 'cpu'): Promise<ServedChip> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'chip', 'serve', '--port', '0', ...args], {
    env: { ...process.env, GRASP_HIL_BACKEND: backend },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += String(b)));
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      const m = /listening on (\S+)/.exec(String(b));
      if (m) resolve({ address: m[1], child, stop });
    });
    child.once('exit', (code) => reject(new Error(`chip serve exited with code ${code}: ${err}`)));
  });
}
