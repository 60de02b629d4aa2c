/**
 * GrpcChipDriver: the chip-driver contract over gRPC, talking to any server of
 * grasp_hil.chip.v1.Chip (ours: `grasp-hil chip serve`; a lab's host; the Python reference host).
 *
 * Unary calls carry a deadline (default 60 s). MVMs go over one long-lived bidirectional stream:
 * each `mvm(calls)` is one request with an id, answered in order, so several can be in flight. When
 * the stream ends with an error every pending MVM fails with it, and the next `mvm` opens a new stream.
 * Errors are HilError with the gRPC code name and a message naming the server address; a server that
 * goes away mid-call gives UNAVAILABLE.
 */
import * as grpc from '@grpc/grpc-js';
import type { ChipCapabilities, ChipDriver, Matrix, MvmCall, ProgramReport, TargetUnits, TileReadout } from './driver.js';
import { codeName, HilError, type HilCode } from './errors.js';
import { FLOW_WINDOW } from './server.js';
import { callsToMsg, capsFromMsg, chipService, fromMsg, toMsg, unitsToMsg, type CapabilitiesMsg, type MatrixMsg } from './wire.js';

export interface ClientOptions {
  /** Bearer token, sent as metadata `authorization: Bearer <token>`. */
  token?: string;
  /** Deadline of each unary call (ms, default 60 000). */
  timeoutMs?: number;
  /** How long `connect` waits for the server (ms, default 10 000). */
  connectTimeoutMs?: number;
}

type Pending = { resolve: (m: Matrix[]) => void; reject: (e: Error) => void; n: number };
interface MvmStream {
  call: grpc.ClientDuplexStream<unknown, { id: number; outputs: MatrixMsg[] }>;
  pending: Map<number, Pending>;
}

/** The raw gRPC client with its address and metadata, for callers that send hand-made messages (conformance). */
export interface RawChip {
  address: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: grpc.Client & Record<string, any>;
  metadata(): grpc.Metadata;
  deadline(): Date;
  /** The error a gRPC failure becomes. */
  error(e: unknown, what: string): HilError;
}

export class GrpcChipDriver implements ChipDriver {
  private stream: MvmStream | null = null;
  private nextId = 1;
  /** Whether the server takes TileMvm.inputs_of (asked before the first MVM). */
  private shares: Promise<boolean> | null = null;
  readonly raw: RawChip;

  private constructor(readonly address: string, private readonly client: grpc.Client & Record<string, any>, private readonly options: ClientOptions) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const timeout = options.timeoutMs ?? 60_000;
    this.raw = {
      address,
      client,
      metadata: () => this.metadata(),
      deadline: () => new Date(Date.now() + timeout),
      error: (e, what) => this.error(e, what),
    };
  }

  /** Connects to host:port and waits until the server answers the channel (or fails naming the address). */
  static async connect(address: string, options: ClientOptions = {}): Promise<GrpcChipDriver> {
    if (!/^[^\s/]+:\d+$/.test(address)) throw new Error(`chip address '${address}' must be host:port, e.g. 127.0.0.1:50051`);
    const Ctor = chipService();
    const client = new Ctor(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc-node.flow_control_window': FLOW_WINDOW,
    });
    const wait = options.connectTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(new Date(Date.now() + wait), (err) => {
        if (err) {
          client.close();
          reject(new HilError('UNAVAILABLE', `chip server at ${address} did not answer within ${wait} ms (${err.message}); is \`grasp-hil chip serve\` running there?`));
        } else resolve();
      });
    });
    return new GrpcChipDriver(address, client, options);
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.options.token !== undefined) md.set('authorization', `Bearer ${this.options.token}`);
    return md;
  }

  private error(e: unknown, what: string): HilError {
    if (e instanceof HilError) return e;
    const se = e as Partial<grpc.ServiceError>;
    const code = typeof se.code === 'number' ? codeName(se.code) : 'INTERNAL';
    const details = se.details ?? (e instanceof Error ? e.message : String(e));
    if (code === 'UNAVAILABLE' || code === 'CANCELLED' || code === 'DEADLINE_EXCEEDED') {
      return new HilError('UNAVAILABLE', `${what}: chip server at ${this.address} is unreachable or went away mid-call (${code}: ${details})`);
    }
    return new HilError(code as HilCode, `${what} at ${this.address}: ${details}`);
  }

  private unary<Res>(method: string, req: unknown): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.client[method](req, this.metadata(), { deadline: this.raw.deadline() }, (err: grpc.ServiceError | null, res: Res) => {
        if (err) reject(this.error(err, method));
        else resolve(res);
      });
    });
  }

  async capabilities(): Promise<ChipCapabilities> {
    return capsFromMsg(await this.unary<CapabilitiesMsg>('GetCapabilities', {}));
  }

  async programTile(tile: number, targets: Matrix, units: TargetUnits = 'weight'): Promise<ProgramReport> {
    const r = await this.unary<{ tile: number; rows: number; cols: number; pulses: number; verify_rmse: number; verify_max_abs: number; time: number }>(
      'ProgramTile', { tile, targets: toMsg(targets), units: unitsToMsg(units) });
    return { tile: r.tile, rows: r.rows, cols: r.cols, pulses: r.pulses, verifyRmse: r.verify_rmse, verifyMaxAbs: r.verify_max_abs, time: r.time };
  }

  async readTile(tile: number): Promise<TileReadout> {
    const r = await this.unary<{ tile: number; values: MatrixMsg; time: number }>('ReadTile', { tile });
    return { tile: r.tile, values: fromMsg(r.values, 'ReadTile.values'), time: r.time };
  }

  /**
   * Calls holding the same `inputs` object send it once when the server advertises shared_inputs (asked
   * once, before the first request; a server that does not answer that gets every input in full).
   */
  mvm(calls: MvmCall[]): Promise<Matrix[]> {
    this.shares ??= this.capabilities().then((c) => c.sharedInputs === true, () => false);
    const id = this.nextId++;
    // Every request waits on the same promise, so they are written in the order of their ids.
    return this.shares.then((share) => new Promise<Matrix[]>((resolve, reject) => {
      const s = this.openStream();
      s.pending.set(id, { resolve, reject, n: calls.length });
      s.call.write({ id, calls: callsToMsg(calls, share) });
    }));
  }

  private openStream(): MvmStream {
    if (this.stream) return this.stream;
    const call = this.client.Mvm(this.metadata()) as MvmStream['call'];
    const s: MvmStream = { call, pending: new Map() };
    const failAll = (e: HilError) => {
      if (this.stream === s) this.stream = null;
      for (const p of s.pending.values()) p.reject(e);
      s.pending.clear();
    };
    call.on('data', (res: { id: number; outputs: MatrixMsg[] }) => {
      const p = s.pending.get(res.id);
      if (!p) return failAll(new HilError('INTERNAL', `Mvm at ${this.address}: answer to unknown request id ${res.id}`));
      s.pending.delete(res.id);
      try {
        if ((res.outputs ?? []).length !== p.n) throw new HilError('INTERNAL', `Mvm at ${this.address}: ${res.outputs?.length ?? 0} outputs for ${p.n} calls`);
        p.resolve(res.outputs.map((m: MatrixMsg, i: number) => fromMsg(m, `Mvm response ${res.id} output ${i}`)));
      } catch (e) {
        p.reject(e as Error);
      }
    });
    call.on('error', (e) => failAll(this.error(e, 'Mvm')));
    call.on('end', () => failAll(new HilError('UNAVAILABLE', `Mvm: chip server at ${this.address} closed the stream with calls pending`)));
    this.stream = s;
    return s;
  }

  async time(): Promise<number> {
    return (await this.unary<{ time: number }>('GetTime', {})).time;
  }

  async advance(seconds: number): Promise<number> {
    return (await this.unary<{ time: number }>('AdvanceTime', { seconds })).time;
  }

  async reset(seed = 0): Promise<void> {
    await this.unary('Reset', { seed });
  }

  async close(): Promise<void> {
    if (this.stream) {
      this.stream.call.end();
      this.stream = null;
    }
    this.client.close();
  }
}
