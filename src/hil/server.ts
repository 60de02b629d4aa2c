/**
 * serveChip: exposes any ChipDriver as the gRPC service grasp_hil.chip.v1.Chip
 * (proto/grasp_hil/chip/v1/chip.proto) on host:port.
 *
 *   per call:  authorise (metadata `authorization: Bearer <token>`, constant-time compare of SHA-256
 *              digests) → decode (float32 bytes) → validate (validate.ts: tile ids, shapes, finite
 *              values, batch limit) → driver → encode
 *   Mvm:       one bidirectional stream; requests run one after another in arrival order, each answered
 *              with its id; a bad request ends the stream with its status code. A call may take an
 *              earlier call's inputs (TileMvm.inputs_of; advertised as shared_inputs): the same matrix
 *              reaches the driver, decoded and checked once.
 *
 * Security: binds 127.0.0.1 by default; a host that is not loopback needs a token. Messages larger than
 * the driver's maxMessageBytes are refused by gRPC with RESOURCE_EXHAUSTED. Any error becomes a gRPC
 * status (HilError → its code, anything else → INTERNAL with its message); nothing a request holds
 * stops the server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Http2Server, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { ChipCapabilities, ChipDriver, Matrix, MvmCall } from './driver.js';
import { grpcStatus, HilError } from './errors.js';
import { callInputsFromMsg, capsToMsg, chipService, fromMsg, toMsg, unitsFromMsg, unitsToMsg, type MatrixMsg, type TileMvmMsg } from './wire.js';
import { checkMatrix, checkSeed, checkStep, checkTargets, checkTileId } from './validate.js';

export interface ServeOptions {
  /** Interface to bind (default 127.0.0.1). Anything but loopback needs `token`. */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Required bearer token; none = no authentication (loopback only). */
  token?: string;
}

export interface ChipServer {
  /** host:port actually bound. */
  address: string;
  port: number;
  /** Stops accepting calls and waits for running ones (forced after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function toStatus(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof HilError) return { code: grpcStatus(e.code), details: e.message };
  return { code: grpc.status.INTERNAL, details: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

interface MvmRequestMsg {
  id: number;
  calls: TileMvmMsg[];
}

/** HTTP/2 flow-control window (bytes) per stream and per connection, both directions. */
export const FLOW_WINDOW = 32 << 20;

/**
 * Widens the server's HTTP/2 receive windows from 64 KiB to FLOW_WINDOW. grpc-js has a client option for
 * this (`grpc-node.flow_control_window`) but no server option; with 64 KiB windows a request of
 * megabytes waits for a window update every 64 KiB. This sets the initial SETTINGS of the server's
 * http2 sessions (grpc-js's `commonServerOptions`, read when binding) and each session's connection
 * window. When grpc-js's internals change shape this does nothing, and only speed suffers.
 */
function widenWindows(server: grpc.Server): void {
  const internals = server as unknown as { commonServerOptions?: { settings?: Record<string, unknown> } };
  const common = internals.commonServerOptions;
  if (common && typeof common === 'object') common.settings = { ...common.settings, initialWindowSize: FLOW_WINDOW };
}

/** After binding: each new connection gets TCP_NODELAY and a FLOW_WINDOW connection window. */
function widenSessions(server: grpc.Server): void {
  const internals = server as unknown as { http2Servers?: Map<Http2Server, unknown> };
  if (!(internals.http2Servers instanceof Map)) return;
  for (const h of internals.http2Servers.keys()) {
    // Replies go out at once: without TCP_NODELAY, Nagle's algorithm holds a reply's last segment back
    // until the client acknowledges the previous one.
    h.on('connection', (socket: Socket) => socket.setNoDelay(true));
    h.on('session', (s: Http2Session) => {
      try {
        s.setLocalWindowSize(FLOW_WINDOW);
      } catch {
        // an older Node without setLocalWindowSize: keep the default window
      }
    });
  }
}

export async function serveChip(driver: ChipDriver, options: ServeOptions = {}): Promise<ChipServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token;
  if (token !== undefined && token.length < 16) throw new Error(`chip serve: the token must have at least 16 characters (got ${token.length}); generate one with \`openssl rand -hex 32\``);
  if (!isLoopback(host) && token === undefined) {
    throw new Error(`chip serve: refusing to bind ${host} without a token; anyone who reaches the port could drive the chip. Give --token (or $GRASP_HIL_CHIP_TOKEN), or bind 127.0.0.1`);
  }
  const caps: ChipCapabilities = await driver.capabilities();
  const expected = token === undefined ? null : digest(`Bearer ${token}`);

  const authorise = (md: grpc.Metadata): void => {
    if (!expected) return;
    const got = md.get('authorization');
    const value = typeof got[0] === 'string' ? got[0] : '';
    if (!timingSafeEqual(digest(value), expected)) {
      throw new HilError('UNAUTHENTICATED', got.length === 0 ? 'this chip server needs metadata `authorization: Bearer <token>`' : 'wrong token in `authorization: Bearer <token>`');
    }
  };

  const unary = <Req, Res>(fn: (req: Req) => Promise<Res>) => (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
    Promise.resolve()
      .then(() => {
        authorise(call.metadata);
        return fn(call.request);
      })
      .then((r) => cb(null, r), (e) => cb(toStatus(e)));
  };

  const mvm = (call: grpc.ServerDuplexStream<MvmRequestMsg, { id: number; outputs: MatrixMsg[] }>) => {
    let failed = false;
    let chain = Promise.resolve();
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      call.emit('error', toStatus(e));
    };
    try {
      authorise(call.metadata);
    } catch (e) {
      fail(e);
      return;
    }
    call.on('data', (req: MvmRequestMsg) => {
      chain = chain.then(async () => {
        if (failed || call.cancelled) return;
        try {
          const decoded: Matrix[] = [];
          const calls: MvmCall[] = (req.calls ?? []).map((c, i) => {
            const where = `Mvm request ${req.id} call ${i}`;
            const tile = checkTileId(caps, c.tile, where);
            const { inputs, shared } = callInputsFromMsg(c, i, decoded, `${where} (tile ${tile})`);
            decoded.push(inputs);
            if (shared) return { tile, inputs };
            if (inputs.rows > caps.maxBatch) throw new HilError('RESOURCE_EXHAUSTED', `${where}: batch of ${inputs.rows} rows is over this chip's limit of ${caps.maxBatch}; split the batch`);
            checkMatrix(inputs, `${where} (tile ${tile}).inputs`);
            return { tile, inputs };
          });
          const outputs = await driver.mvm(calls);
          if (!call.cancelled) call.write({ id: req.id, outputs: outputs.map(toMsg) });
        } catch (e) {
          fail(e);
        }
      });
    });
    call.on('end', () => {
      void chain.then(() => {
        if (!failed) call.end();
      });
    });
    call.on('error', () => undefined); // a client that went away
  };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': caps.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  server.addService(chipService().service, {
    // This server resolves TileMvm.inputs_of itself, whatever the driver behind it.
    GetCapabilities: unary(async () => capsToMsg({ ...(await driver.capabilities()), sharedInputs: true })),
    ProgramTile: unary(async (req: { tile: number; targets: MatrixMsg | null; units: string }) => {
      const tile = checkTileId(caps, req.tile, 'ProgramTile');
      const targets = fromMsg(req.targets, `ProgramTile(tile ${tile}).targets`);
      checkTargets(caps, targets, `ProgramTile(tile ${tile}).targets`);
      const units = unitsFromMsg(req.units);
      if (!caps.targetUnits.includes(units)) throw new HilError('UNIMPLEMENTED', `ProgramTile: this chip takes targets in ${caps.targetUnits.map(unitsToMsg).join(', ')}, not ${req.units}`);
      const r = await driver.programTile(tile, targets, units);
      return { tile: r.tile, rows: r.rows, cols: r.cols, pulses: r.pulses, verify_rmse: r.verifyRmse, verify_max_abs: r.verifyMaxAbs, time: r.time };
    }),
    ReadTile: unary(async (req: { tile: number }) => {
      const r = await driver.readTile(checkTileId(caps, req.tile, 'ReadTile'));
      return { tile: r.tile, values: toMsg(r.values), time: r.time };
    }),
    Mvm: mvm,
    GetTime: unary(async () => ({ time: await driver.time() })),
    AdvanceTime: unary(async (req: { seconds: number }) => ({ time: await driver.advance(checkStep(req.seconds, 'AdvanceTime')) })),
    Reset: unary(async (req: { seed: number }) => {
      await driver.reset(checkSeed(req.seed, 'Reset'));
      return {};
    }),
  });
  widenWindows(server);
  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(new Error(`chip serve: cannot bind ${bindHost}:${options.port ?? 0}: ${err.message}`)) : resolve(p)));
  });
  widenSessions(server);
  const address = `${bindHost}:${port}`;
  return {
    address,
    port,
    close: (graceMs = 2000) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}
