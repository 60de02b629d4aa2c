/**
 * BlockingChipClient: a SyncChip (sync.ts) over gRPC. A worker thread holds a GrpcChipDriver
 * (blocking-worker.ts); each call posts one request on a MessagePort and blocks the calling thread
 * with Atomics.wait on a shared flag until the worker answers, then takes the answer with
 * receiveMessageOnPort. So a Site hook inside a model's synchronous forward pass can run its MVM on a
 * remote chip.
 *
 *   call:  flag ← 0 → post {id, op, args} (MVM inputs transferred, not copied) → wait(flag ≠ 0, ≤ timeout)
 *          → answer {id, ok | error} (MVM outputs transferred) → result, or HilError with the server's code
 *
 * The worker starts with a large initial old generation (CLIENT_HEAP_MIB, heap-flags.ts): it allocates
 * and drops megabytes per request, and would otherwise run a full collection every few requests.
 *
 * Failure: an error of the call (server gone: UNAVAILABLE naming the address) is thrown in the calling
 * thread; a worker that does not answer within `timeoutMs` (default: the unary deadline + 30 s) gives
 * DEADLINE_EXCEEDED-like UNAVAILABLE and the client is closed. The server must not run on the calling
 * thread (it would be blocked too): serve it from another process or thread.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { spawnModuleThread } from '../base/thread.js';
import type { ClientOptions } from './client.js';
import type { ChipCapabilities, Matrix, MvmCall, ProgramReport, TargetUnits } from './driver.js';
import { HilError, type HilCode } from './errors.js';
import type { BlockingAnswer, BlockingRequest } from './blocking-worker.js';
import { threadHeapFlags } from './heap-flags.js';
import type { SyncChip } from './sync.js';

/** Initial old generation (MiB) of the worker that carries the MVM messages (heap-flags.ts). */
export const CLIENT_HEAP_MIB = 256;

/** The worker, blocking-worker.ts (or the compiled blocking-worker.js). */
function spawnWorker(workerData: unknown, transfer: MessagePort[]): Worker {
  return spawnModuleThread(import.meta.url, 'blocking-worker', { workerData, transferList: transfer });
}

export class BlockingChipClient implements SyncChip {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private nextId = 1;
  private closed = false;
  private caps: ChipCapabilities | null = null;
  private readonly timeoutMs: number;

  private constructor(readonly address: string, options: ClientOptions & { blockTimeoutMs?: number }) {
    const flag = new SharedArrayBuffer(4);
    this.signal = new Int32Array(flag);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = spawnWorker({ port: port2, flag }, [port2]);
    this.worker.unref();
    this.timeoutMs = options.blockTimeoutMs ?? (options.timeoutMs ?? 60_000) + 30_000;
  }

  /** Starts the worker and connects it to host:port (blocks until connected or failed). */
  static connect(address: string, options: ClientOptions & { blockTimeoutMs?: number } = {}): BlockingChipClient {
    const restore = threadHeapFlags(CLIENT_HEAP_MIB);
    let c: BlockingChipClient | null = null;
    try {
      c = new BlockingChipClient(address, options);
      c.call('connect', [address, { token: options.token, timeoutMs: options.timeoutMs, connectTimeoutMs: options.connectTimeoutMs }]);
      restore(); // the worker answered: its isolate exists
      c.caps = c.call('capabilities', []) as ChipCapabilities;
    } catch (e) {
      restore();
      c?.kill();
      throw e;
    }
    return c;
  }

  private call(op: BlockingRequest['op'], args: unknown[], transfer: ArrayBuffer[] = []): unknown {
    if (this.closed) throw new HilError('FAILED_PRECONDITION', `chip client for ${this.address} is closed`);
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ id, op, args } satisfies BlockingRequest, transfer);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, 0, left) === 'timed-out') {
        this.kill();
        throw new HilError('UNAVAILABLE', `${op}: chip server at ${this.address} did not answer within ${this.timeoutMs} ms; the client is closed`);
      }
      const got = receiveMessageOnPort(this.port);
      if (!got) continue; // woken before the message landed: wait again
      const a = got.message as BlockingAnswer;
      if (a.id !== id) throw new HilError('INTERNAL', `${op}: chip client for ${this.address} got answer ${a.id} to request ${id}`);
      if ('error' in a) throw new HilError((a.error.code ?? 'INTERNAL') as HilCode, a.error.message);
      return a.ok;
    }
  }

  capabilitiesSync(): ChipCapabilities {
    return structuredClone(this.caps!);
  }

  programTileSync(tile: number, targets: Matrix, units: TargetUnits = 'weight'): ProgramReport {
    return this.call('programTile', [tile, targets, units]) as ProgramReport;
  }

  /**
   * Inputs are transferred to the worker: their buffers are detached after the call unless they are views
   * into a larger buffer. Calls holding the same `inputs` object still do after the transfer (the
   * driver then sends it once).
   */
  mvmSync(calls: MvmCall[]): Matrix[] {
    const owned = new Map<Matrix, Matrix>();
    const own = (m: Matrix): Matrix => (m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? m : { ...m, data: m.data.slice() });
    const mine = calls.map((c) => {
      if (!owned.has(c.inputs)) owned.set(c.inputs, own(c.inputs));
      return { ...c, inputs: owned.get(c.inputs)! };
    });
    return this.call('mvm', [mine], [...new Set([...owned.values()].map((m) => m.data.buffer as ArrayBuffer))]) as Matrix[];
  }

  timeSync(): number {
    return this.call('time', []) as number;
  }

  advanceSync(seconds: number): number {
    return this.call('advance', [seconds]) as number;
  }

  resetSync(seed = 0): void {
    this.call('reset', [seed]);
  }

  closeSync(): void {
    if (this.closed) return;
    try {
      this.call('close', []);
    } catch {
      // closing a client whose server is gone: nothing left to release there
    }
    this.kill();
  }

  private kill(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}
