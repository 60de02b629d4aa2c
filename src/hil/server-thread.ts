/**
 * serveChipThreaded: serveChip (server.ts) with gRPC in its own thread (server-worker.ts) and the
 * driver in the calling thread. Same service, same checks, same answers; only where the work runs
 * differs:
 *
 *   I/O thread:   HTTP/2, gRPC framing, protobuf, authorisation, request checks (a small heap)
 *   this thread:  the driver's calls, one MessagePort message each way (MVM matrices transferred)
 *
 * Why: a chip driver's thread holds a large heap (the simulator's TF.js, device laws: ≈ 100 MB), and
 * every megabyte that gRPC allocates per request there brings a full mark-compact of that heap
 * closer; in a thread of its own those buffers are collected in a heap of ≈ 10 MB
 * (`node --import tsx bench/hil-remote.ts`, docs/hil.md "Speed of remote evaluation").
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { spawnModuleThread } from '../base/thread.js';
import type { ChipDriver, Matrix } from './driver.js';
import { HilError } from './errors.js';
import type { ChipServer, ServeOptions } from './server.js';

/** The messages between this thread and the I/O thread (server-worker.ts). */
export type DriverOp = 'capabilities' | 'programTile' | 'readTile' | 'mvm' | 'time' | 'advance' | 'reset';
export interface DriverCall { id: number; op: DriverOp; args: unknown[] }
export type DriverAnswer = { id: number; ok: unknown } | { id: number; error: { code: string | null; message: string } };
export type ControlMessage = { start: ServeOptions } | { close: number };
export type ControlAnswer = { listening: string; port: number } | { failed: string } | { closed: true };

/** A matrix that owns its whole buffer (a view into a gRPC buffer is copied). */
export const owning = (m: Matrix): Matrix => (m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? m : { ...m, data: m.data.slice() });

/** Answers the I/O thread's driver calls on `port`, one at a time in arrival order. */
export function answerCalls(driver: ChipDriver, port: MessagePort): void {
  let chain = Promise.resolve();
  const run = (c: DriverCall): Promise<unknown> => {
    switch (c.op) {
      case 'capabilities': return driver.capabilities();
      case 'programTile': return driver.programTile(...(c.args as Parameters<ChipDriver['programTile']>));
      case 'readTile': return driver.readTile(c.args[0] as number);
      case 'mvm': return driver.mvm(c.args[0] as Parameters<ChipDriver['mvm']>[0]);
      case 'time': return driver.time();
      case 'advance': return driver.advance(c.args[0] as number);
      case 'reset': return driver.reset(c.args[0] as number | undefined);
    }
  };
  port.on('message', (c: DriverCall) => {
    chain = chain.then(() => run(c)).then(
      (ok) => {
        if (c.op !== 'mvm') return port.postMessage({ id: c.id, ok } satisfies DriverAnswer);
        const out = (ok as Matrix[]).map(owning);
        port.postMessage({ id: c.id, ok: out } satisfies DriverAnswer, [...new Set(out.map((m) => m.data.buffer as ArrayBuffer))]);
      },
      (e: unknown) => port.postMessage({ id: c.id, error: { code: e instanceof HilError ? e.code : null, message: e instanceof Error ? e.message : String(e) } } satisfies DriverAnswer),
    );
  });
}

/** serveChip with gRPC on its own thread; see the file header. Resolves once the server listens. */
export async function serveChipThreaded(driver: ChipDriver, options: ServeOptions = {}): Promise<ChipServer> {
  const calls = new MessageChannel();
  answerCalls(driver, calls.port1);
  return serveFromThread(calls.port2, options, async () => calls.port1.close());
}

/**
 * Starts the I/O thread, whose driver calls go to `calls` (answered by answerCalls in some thread), and
 * resolves once it listens; `release` runs after the thread stops (on close, or when it fails to start).
 */
export async function serveFromThread(calls: MessagePort, options: ServeOptions, release: () => Promise<void>): Promise<ChipServer> {
  const control = new MessageChannel();
  const worker: Worker = spawnModuleThread(import.meta.url, 'server-worker', { workerData: { calls, control: control.port2 }, transferList: [calls, control.port2] });
  const next = () => new Promise<ControlAnswer>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`chip serve: the server's I/O thread exited with code ${code}`));
    worker.once('exit', onExit);
    control.port1.once('message', (a: ControlAnswer) => {
      worker.off('exit', onExit);
      resolve(a);
    });
  });
  const stop = async () => {
    control.port1.close();
    await worker.terminate();
    await release();
  };
  const started = next();
  control.port1.postMessage({ start: options } satisfies ControlMessage);
  const a = await started.catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  if (!('listening' in a)) {
    await stop();
    throw new Error('failed' in a ? a.failed : 'chip serve: the I/O thread did not start');
  }
  return {
    address: a.listening,
    port: a.port,
    close: async (graceMs = 2000) => {
      const closed = next();
      control.port1.postMessage({ close: graceMs } satisfies ControlMessage);
      await closed.catch(() => undefined);
      await stop();
    },
  };
}
