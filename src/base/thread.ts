/**
 * Starts a worker thread on a module next to the caller: the compiled `<stem>.js` when the caller
 * runs from dist/, or — from source (vitest, tsx) — a bootstrap that registers tsx's loader in the
 * thread and then imports `<stem>.ts`. Each thread has its own module graph, so its own TF.js engine.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `from` is the caller's `import.meta.url`; `stem` the worker module's file name without extension. */
export function spawnModuleThread(from: string, stem: string, options: WorkerOptions = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(fileURLToPath(new URL(`./${stem}.js`, from)), options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${stem}.ts`, from).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}
