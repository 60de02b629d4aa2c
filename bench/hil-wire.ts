/**
 * bench/hil-wire: what one MVM round trip costs on the wire alone, layer by layer, with no chip work
 * (the server echoes each request's inputs back as its outputs). Every server runs in one child
 * process on loopback, as `chip serve` is deployed; the arms alternate within each repetition. Per
 * message size it reports the median wall time of a round trip and the CPU time both processes spent
 * on it (this process's threads + the server process, from /proc; steadier than wall time on a
 * shared machine):
 *
 *   tcp            raw TCP: 4-byte length + payload each way (the kernel's and Node's floor)
 *   grpc_bytes     bare grpc-js bidirectional stream of raw Buffers (identity serialisers): HTTP/2 + grpc-js
 *   chip_async     serveChip over an echo driver ↔ GrpcChipDriver.mvm (adds protobuf, checks, copies)
 *   chip_blocking  the same server ↔ BlockingChipClient.mvmSync (adds the worker-thread hand-off)
 *
 * Payload: one call of [batch, 128] float32 inputs, `--sizes` MiB each way (default 1,4).
 *
 *   node --import tsx bench/hil-wire.ts [--sizes 1,4] [--reps 20] [--arms tcp,grpc_bytes,chip_async,chip_blocking]
 *                                      [--cpu-prof DIR] [--server-flags '--trace-gc']
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { BlockingChipClient, GrpcChipDriver, serveChip, type ChipCapabilities, type ChipDriver, type MvmCall } from '../src/hil/index.js';
import type { Matrix } from '../src/hil/driver.js';
import { FLOW_WINDOW } from '../src/hil/server.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['arms', 'cpu-prof', 'reps', 'server-flags', 'sizes'], ['serve']);

const CAPS: ChipCapabilities = {
  protocolVersion: 1, driver: 'echo', profile: 'echo', tile: { rows: 512, cols: 512 }, tiles: 4, dacBits: null, adcBits: null,
  maxBatch: 1 << 20, maxMessageBytes: 512 << 20, deterministic: true, drifts: false, clock: 'simulated', targetUnits: ['weight'],
};

/** A driver whose MVM returns each call's inputs: no chip work, only the wire. */
class EchoDriver implements ChipDriver {
  capabilities = async () => CAPS;
  programTile = async () => { throw new Error('echo driver: no programming'); };
  readTile = async () => { throw new Error('echo driver: no tiles'); };
  mvm = async (calls: MvmCall[]): Promise<Matrix[]> => calls.map((c) => c.inputs);
  time = async () => 0;
  advance = async () => 0;
  reset = async () => undefined;
  close = async () => undefined;
}

const identity = { path: '/bench.Echo/Echo', requestStream: true, responseStream: true, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const bigWindows = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1, 'grpc-node.flow_control_window': FLOW_WINDOW };

/** Length-prefixed frames on a socket: calls `on` with each whole payload. */
function frames(socket: Socket, on: (payload: Buffer) => void): void {
  let chunks: Buffer[] = [];
  let have = 0;
  let need = -1;
  socket.on('data', (b: Buffer) => {
    chunks.push(b);
    have += b.length;
    for (;;) {
      if (need < 0 && have >= 4) {
        const all = Buffer.concat(chunks);
        need = all.readUInt32LE(0);
        chunks = [all.subarray(4)];
        have -= 4;
      }
      if (need < 0 || have < need) return;
      const all = Buffer.concat(chunks);
      on(all.subarray(0, need));
      chunks = [all.subarray(need)];
      have -= need;
      need = -1;
    }
  });
}

async function serveAll(): Promise<void> {
  const tcp = createServer((s) => {
    s.setNoDelay(true);
    frames(s, (p) => {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(p.length);
      s.write(h);
      s.write(p);
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const bare = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  bare.addService({ Echo: identity } as unknown as grpc.ServiceDefinition, {
    Echo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (b: Buffer) => call.write(b));
      call.on('end', () => call.end());
    },
  });
  const bareInternals = bare as unknown as { commonServerOptions: { settings?: Record<string, unknown> } };
  bareInternals.commonServerOptions.settings = { initialWindowSize: FLOW_WINDOW };
  const barePort = await new Promise<number>((res, rej) => bare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const chip = await serveChip(new EchoDriver());
  console.log(`ports tcp=${(tcp.address() as { port: number }).port} grpc=${barePort} chip=${chip.port}`);
}

/** CPU ms so far of this process (all threads) plus the server process (/proc/<pid>/stat utime + stime, 10 ms ticks). */
function cpuMs(server: number): number {
  const own = process.cpuUsage();
  const fields = readFileSync(`/proc/${server}/stat`, 'utf8').split(') ')[1].split(' ');
  return (own.user + own.system) / 1000 + (Number(fields[11]) + Number(fields[12])) * 10;
}

if (process.argv.includes('--serve')) {
  await serveAll();
  process.once('SIGTERM', () => process.exit(0)); // exit normally, so that --cpu-prof writes its profile
} else {
  const sizes = arg('sizes', '1,4').split(',').map(Number);
  const reps = Number(arg('reps', '20'));
  const only = arg('arms', '').split(',').filter(Boolean);
  const self = fileURLToPath(import.meta.url);
  const profile = arg('cpu-prof', ''); // the servers write a V8 CPU profile there
  const child = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), ...arg('server-flags', '').split(' ').filter(Boolean), '--import', 'tsx', self, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      const m = /ports tcp=(\d+) grpc=(\d+) chip=(\d+)/.exec(String(b));
      if (m) resolve({ tcp: Number(m[1]), grpc: Number(m[2]), chip: Number(m[3]) });
      else process.stderr.write(b);
    });
    child.on('exit', (code) => reject(new Error(`echo servers exited with code ${code}`)));
  });

  const sock = connect(ports.tcp, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  let tcpWaiting: ((p: Buffer) => void) | null = null;
  frames(sock, (p) => tcpWaiting!(p));
  const tcpTrip = (payload: Buffer) => new Promise<void>((resolve) => {
    tcpWaiting = () => resolve();
    const h = Buffer.alloc(4);
    h.writeUInt32LE(payload.length);
    sock.write(h);
    sock.write(payload);
  });

  const Bare = grpc.makeGenericClientConstructor({ Echo: identity } as unknown as grpc.ServiceDefinition, 'Echo');
  const bare = new Bare(`127.0.0.1:${ports.grpc}`, grpc.credentials.createInsecure(), bigWindows) as unknown as grpc.Client & { Echo: () => grpc.ClientDuplexStream<Buffer, Buffer> };
  const bareCall = bare.Echo();
  bareCall.on('error', () => undefined); // the servers stop at the end
  let bareWaiting: (() => void) | null = null;
  bareCall.on('data', () => bareWaiting!());
  const bareTrip = (payload: Buffer) => new Promise<void>((resolve) => {
    bareWaiting = resolve;
    bareCall.write(payload);
  });

  const chipAsync = await GrpcChipDriver.connect(`127.0.0.1:${ports.chip}`);
  const chipBlocking = BlockingChipClient.connect(`127.0.0.1:${ports.chip}`);

  const results: Record<string, number | string> = {};
  for (const mib of sizes) {
    const batch = Math.round((mib * 2 ** 20) / (128 * 4));
    const values = new Float32Array(batch * 128).map((_, i) => Math.sin(i));
    const payload = Buffer.from(values.buffer);
    const call = (): MvmCall[] => [{ tile: 0, inputs: { rows: batch, cols: 128, data: values.slice() } }];
    const all: [string, () => Promise<unknown> | unknown][] = [
      ['tcp', () => tcpTrip(payload)],
      ['grpc_bytes', () => bareTrip(payload)],
      ['chip_async', () => chipAsync.mvm(call())],
      ['chip_blocking', () => chipBlocking.mvmSync(call())],
    ];
    const arms = all.filter(([n]) => only.length === 0 || only.includes(n));
    const times = new Map<string, number[]>(arms.map(([n]) => [n, []]));
    const cpu = new Map<string, number>(arms.map(([n]) => [n, 0]));
    for (let rep = 0; rep <= reps; rep++) {
      for (const [name, trip] of arms) {
        const c0 = cpuMs(child.pid!);
        const t0 = performance.now();
        await trip();
        if (rep > 0) {
          times.get(name)!.push(performance.now() - t0);
          cpu.set(name, cpu.get(name)! + cpuMs(child.pid!) - c0);
        }
      }
    }
    for (const [name, ts] of times) {
      ts.sort((a, b) => a - b);
      results[`${name}_${mib}MiB_ms`] = ts[Math.floor(ts.length / 2)];
      results[`${name}_${mib}MiB_cpu_ms`] = cpu.get(name)! / reps;
    }
  }
  report('hil wire round trip (median)', results);
  bareCall.end();
  bare.close();
  sock.destroy();
  await chipAsync.close();
  chipBlocking.closeSync();
  child.kill('SIGTERM');
}
