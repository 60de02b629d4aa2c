/**
 * The I/O thread of serveChipThreaded (server-thread.ts): runs serveChip (server.ts) over a PortDriver
 * whose every call goes to the driver in the parent thread on a MessagePort and waits for its answer.
 * So gRPC's megabyte buffers (HTTP/2 chunks, reassembled frames, encoded replies) are allocated and
 * collected in this thread's small heap, not beside the chip's.
 *
 *   parent → {start: options}        → serveChip → {listening: address, port} | {failed: message}
 *   call    {id, op, args}           → parent → {id, ok} | {id, error: {code, message}} (HilError kept)
 *   parent → {close: graceMs}        → server.close → {closed}
 *
 * MVM inputs go to the parent transferred (each buffer once, copied first when it is a view into a
 * gRPC buffer); outputs come back transferred.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ChipCapabilities, ChipDriver, Matrix, MvmCall, ProgramReport, TargetUnits, TileReadout } from './driver.js';
import { HilError, type HilCode } from './errors.js';
import { serveChip, type ChipServer } from './server.js';
import { owning, type ControlAnswer, type ControlMessage, type DriverAnswer, type DriverCall, type DriverOp } from './server-thread.js';

/** The ChipDriver contract, answered by the parent thread's driver. */
class PortDriver implements ChipDriver {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (a: DriverAnswer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if ('error' in a) p.reject(a.error.code ? new HilError(a.error.code as HilCode, a.error.message) : new Error(a.error.message));
      else p.resolve(a.ok);
    });
  }

  private call<T>(op: DriverOp, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ id, op, args } satisfies DriverCall, transfer);
    });
  }

  capabilities(): Promise<ChipCapabilities> { return this.call('capabilities', []); }
  programTile(tile: number, targets: Matrix, units?: TargetUnits): Promise<ProgramReport> { return this.call('programTile', [tile, targets, units]); }
  readTile(tile: number): Promise<TileReadout> { return this.call('readTile', [tile]); }
  time(): Promise<number> { return this.call('time', []); }
  advance(seconds: number): Promise<number> { return this.call('advance', [seconds]); }
  reset(seed?: number): Promise<void> { return this.call('reset', [seed]); }
  async close(): Promise<void> {}

  mvm(calls: MvmCall[]): Promise<Matrix[]> {
    const owned = new Map<Matrix, Matrix>();
    const mine = calls.map((c) => {
      if (!owned.has(c.inputs)) owned.set(c.inputs, owning(c.inputs));
      return { tile: c.tile, inputs: owned.get(c.inputs)! };
    });
    return this.call('mvm', [mine], [...new Set([...owned.values()].map((m) => m.data.buffer as ArrayBuffer))]);
  }
}

const { calls, control } = workerData as { calls: MessagePort; control: MessagePort };
const driver = new PortDriver(calls);
let server: ChipServer | null = null;

control.on('message', (m: ControlMessage) => {
  if ('start' in m) {
    serveChip(driver, m.start).then(
      (s) => {
        server = s;
        control.postMessage({ listening: s.address, port: s.port } satisfies ControlAnswer);
      },
      (e: unknown) => control.postMessage({ failed: e instanceof Error ? e.message : String(e) } satisfies ControlAnswer),
    );
  } else {
    void (server ? server.close(m.close) : Promise.resolve()).then(() => control.postMessage({ closed: true } satisfies ControlAnswer));
  }
});
