/**
 * serveSimulatorThreaded: `grasp-hil chip serve`'s layout — the simulator driver on one thread
 * (simulator-worker.ts), gRPC on another (server-worker.ts, via server-thread.ts), talking over a
 * MessagePort; the process's main thread only starts and stops them.
 *
 *   threadHeapFlags(SERVE_HEAP_MIB) → driver thread: initBackend → SimulatorDriver → answers calls
 *                                   → I/O thread: serveChip over those calls → listening → restore
 *
 * Why threads: V8 reads heap-sizing flags when it creates an isolate, so they can apply to two new
 * threads but not to the already running main one (heap-flags.ts). With a large initial old
 * generation the megabyte buffers of each MVM request no longer bring a full mark-compact of the
 * simulator's ≈ 100 MB heap every few requests (measured in docs/hil.md, "Speed of remote
 * evaluation": `node --import tsx bench/hil-remote.ts`). The cost is memory: each thread may grow to
 * that size before collecting.
 */
import { MessageChannel } from 'node:worker_threads';
import { spawnModuleThread } from '../base/thread.js';
import type { ChipCapabilities } from './driver.js';
import { threadHeapFlags } from './heap-flags.js';
import type { ChipServer, ServeOptions } from './server.js';
import { serveFromThread } from './server-thread.js';
import type { SimulatorOptions } from './simulator.js';

/** Initial old generation (MiB) of the simulator and I/O threads (heap-flags.ts). */
export const SERVE_HEAP_MIB = 512;

/** What the driver thread needs: serialisable simulator options (a profile id or path) and the backend. */
export interface SimulatorThreadOptions extends SimulatorOptions {
  profile: string;
  /** TF.js backend of the driver thread (initBackend's preference). */
  backend?: string;
}

export type SimulatorThreadAnswer = { caps: ChipCapabilities } | { failed: string };

/** Serves a simulator chip with the driver and gRPC on threads of their own; see the file header. */
export async function serveSimulatorThreaded(sim: SimulatorThreadOptions, options: ServeOptions = {}): Promise<{ server: ChipServer; caps: ChipCapabilities }> {
  const restore = threadHeapFlags(SERVE_HEAP_MIB);
  try {
    return await start(sim, options);
  } finally {
    restore(); // both threads run by now (or have failed)
  }
}

async function start(sim: SimulatorThreadOptions, options: ServeOptions): Promise<{ server: ChipServer; caps: ChipCapabilities }> {
  const calls = new MessageChannel(), control = new MessageChannel();
  const worker = spawnModuleThread(import.meta.url, 'simulator-worker', { workerData: { sim, calls: calls.port1, control: control.port2 }, transferList: [calls.port1, control.port2] });
  const stop = async () => {
    control.port1.close();
    await worker.terminate();
  };
  const answer = await new Promise<SimulatorThreadAnswer>((resolve) => {
    worker.once('exit', (code) => resolve({ failed: `chip serve: the simulator thread exited with code ${code}` }));
    worker.once('error', (e) => resolve({ failed: e.message }));
    control.port1.once('message', resolve);
  });
  if ('failed' in answer) {
    await stop();
    throw new Error(answer.failed);
  }
  return { server: await serveFromThread(calls.port2, options, stop), caps: answer.caps };
}
