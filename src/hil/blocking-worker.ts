/**
 * The worker thread of BlockingChipClient (blocking-client.ts): holds one GrpcChipDriver and answers
 * each request of the calling thread on its MessagePort, then raises the shared flag (Atomics.notify)
 * that the caller waits on. Every outcome — result or error — is answered, so the caller never waits
 * on a request that failed here; errors keep their HilError code.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { GrpcChipDriver, type ClientOptions } from './client.js';
import type { Matrix } from './driver.js';
import { HilError } from './errors.js';

export interface BlockingRequest {
  id: number;
  op: 'connect' | 'capabilities' | 'programTile' | 'mvm' | 'time' | 'advance' | 'reset' | 'close';
  args: unknown[];
}

export type BlockingAnswer = { id: number; ok: unknown } | { id: number; error: { code: string | null; message: string } };

const { port, flag } = workerData as { port: MessagePort; flag: SharedArrayBuffer };
const signal = new Int32Array(flag);
let driver: GrpcChipDriver | null = null;

function answer(a: BlockingAnswer, transfer: ArrayBuffer[] = []): void {
  port.postMessage(a, transfer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

async function run(r: BlockingRequest): Promise<unknown> {
  if (r.op === 'connect') {
    driver = await GrpcChipDriver.connect(r.args[0] as string, r.args[1] as ClientOptions);
    return null;
  }
  if (!driver) throw new HilError('FAILED_PRECONDITION', `blocking chip client: '${r.op}' before connect`);
  switch (r.op) {
    case 'capabilities': return driver.capabilities();
    case 'programTile': return driver.programTile(...(r.args as Parameters<GrpcChipDriver['programTile']>));
    case 'mvm': return driver.mvm(...(r.args as Parameters<GrpcChipDriver['mvm']>));
    case 'time': return driver.time();
    case 'advance': return driver.advance(r.args[0] as number);
    case 'reset': return driver.reset(r.args[0] as number);
    case 'close': {
      await driver.close();
      driver = null;
      return null; // the caller terminates this thread after the answer
    }
  }
}

/** A matrix that owns its whole buffer (gRPC outputs may be views into a larger, pooled buffer: copied). */
const owning = (m: Matrix): Matrix => (m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? m : { ...m, data: m.data.slice() });

port.on('message', (r: BlockingRequest) => {
  run(r).then(
    (ok) => {
      if (r.op !== 'mvm') return answer({ id: r.id, ok });
      const out = (ok as Matrix[]).map(owning);
      answer({ id: r.id, ok: out }, out.map((m) => m.data.buffer as ArrayBuffer));
    },
    (e: unknown) => answer({ id: r.id, error: { code: e instanceof HilError ? e.code : null, message: e instanceof Error ? e.message : String(e) } }),
  );
});
