/**
 * A worker_threads pool: one TF.js engine per worker (multi-threaded wasm does not start under
 * Node, so parallelism comes from threads, each with its own single-threaded backend).
 *
 * Jobs are plain JSON-able values; each job carries its own seeds, so a result does not depend on
 * which worker ran it or in what order. `run` yields results in job order, whatever the completion
 * order, so rows are recorded identically for any worker count.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleThread } from '../base/thread.js';

export interface PoolOptions {
  /** Number of workers (≥ 1). */
  workers: number;
  /** Data every worker receives once at start (e.g. model dir, backend). */
  workerData: unknown;
  /**
   * Jobs with the same key go to the worker that ran that key last, when it is free (a worker keeps
   * state for its last key, e.g. a programmed chip); null: no preference.
   */
  affinity?: (job: unknown) => string | null;
  /** Events a worker posts while a job runs (`{ event }` messages), in the order they arrive. */
  onEvent?: (event: unknown) => void;
}

interface Pending<R> {
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

type Message<R> = { id: number; ok: true; result: R } | { id: number; ok: false; error: string } | { event: unknown };

/** The worker entry, worker.ts (or the compiled worker.js). */
function spawn(workerData: unknown): Worker {
  return spawnModuleThread(import.meta.url, 'worker', { workerData });
}

export class WorkerPool<J, R> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private readonly queue: { id: number; job: J; key: string | null }[] = [];
  private nextId = 0;
  private failure: Error | null = null;
  private readonly lastKey = new Map<Worker, string>();
  private readonly affinity: (job: J) => string | null;

  constructor(options: PoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`--workers must be an integer ≥ 1, got ${options.workers}`);
    this.affinity = options.affinity ?? (() => null);
    for (let i = 0; i < options.workers; i++) {
      const w = spawn(options.workerData);
      w.on('message', (m: Message<R>) => ('event' in m ? options.onEvent?.(m.event) : this.onMessage(w, m)));
      w.on('error', (e) => this.fail(new Error(`worker ${i} crashed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`worker ${i} exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private closing = false;

  /** Runs one job; resolves with its result. */
  submit(job: J): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise<R>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.queue.push({ id, job, key: this.affinity(job) });
    this.dispatch();
    return p;
  }

  /** Runs all jobs, calling `onResult` in job order as soon as each prefix is complete. */
  async run(jobs: J[], onResult: (result: R, index: number) => void): Promise<void> {
    const promises = jobs.map((j) => this.submit(j));
    // Every promise gets a handler now: a failure surfaces once, at its turn, not as an unhandled rejection.
    for (const p of promises) p.catch(() => undefined);
    for (let i = 0; i < promises.length; i++) onResult(await promises[i], i);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Hands queued jobs to idle workers: a job of the worker's last affinity key first, else the first
   * job whose key no other worker holds, else the first job.
   */
  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift() as Worker;
      const mine = this.lastKey.get(w);
      const others = new Set([...this.lastKey].filter(([o]) => o !== w).map(([, k]) => k));
      let i = mine === undefined ? -1 : this.queue.findIndex((q) => q.key === mine);
      if (i < 0) i = this.queue.findIndex((q) => q.key === null || !others.has(q.key));
      if (i < 0) i = 0;
      const [{ id, job, key }] = this.queue.splice(i, 1);
      if (key !== null) this.lastKey.set(w, key);
      w.postMessage({ id, job });
    }
  }

  private onMessage(w: Worker, m: Exclude<Message<R>, { event: unknown }>): void {
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    this.idle.push(w);
    if (p) {
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    }
    this.dispatch();
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
