/** `grasp-hil chip serve|conformance`: expose a simulated chip over gRPC; check any chip server against the protocol. */
import { initBackend, isLoopback, runConformance, serveChip, SimulatorDriver, PERIPHERY_PRESETS, type CheckResult } from '../../index.js';
import { laidOut, printJson, withExamples, type Command } from '../command.js';
import { checkFlags, numericFlag, SEED, type FlagRule } from '../flags.js';

const int = (min: number, max: number): FlagRule => ({ integer: true, min, max });
/** Every numeric flag of `chip serve`, checked before the backend starts. */
const SERVE_FLAGS: Record<string, FlagRule> = {
  seed: SEED, tiles: int(1, 1 << 20), 'max-batch': int(1, 1 << 20), 'max-message-mb': int(1, 1024), port: int(0, 65535),
};

const TOKEN_ENV = 'GRASP_HIL_CHIP_TOKEN';

function parsePeriphery(text: string): object {
  try {
    return JSON.parse(text) as object;
  } catch (e) {
    throw new Error(`--periphery: not valid JSON (${(e as Error).message}); give a preset name (${Object.keys(PERIPHERY_PRESETS).join(', ')}) or an object such as '{"tile":{"rows":256,"cols":256},"adc":{"bits":8}}'`);
  }
}

const serve: Command = {
  tensors: true,
  command: 'serve',
  describe: 'Serve a simulated chip (the crossbar simulator on a device profile) over gRPC: proto/grasp_hil/chip/v1/chip.proto',
  builder: (y) => withExamples(
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path to a profile .json' })
      .option('periphery', { type: 'string', describe: `periphery preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}) or a JSON object of periphery options; its tile shape is the chip's` })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind; anything but loopback needs a token' })
      .option('port', { type: 'number', default: 50051, describe: 'TCP port (0: any free port; the bound address is printed)' })
      .option('token', { type: 'string', describe: `bearer token every call must carry (default: $${TOKEN_ENV}); at least 16 characters` })
      .option('seed', { type: 'number', default: 0, describe: 'reset seed of the chip\'s random streams (Reset calls change it)' })
      .option('tiles', { type: 'number', default: 256, describe: 'tile slots (tile ids 0 … tiles − 1)' })
      .option('max-batch', { type: 'number', default: 4096, describe: 'most rows in one MVM input' })
      .option('max-message-mb', { type: 'number', default: 64, describe: 'largest request accepted (MiB)' }),
    [
      ['grasp-hil chip serve --profile pcm-aihwkit --periphery aihwkit-standard --port 50051', 'a PCM chip on this machine only'],
      [`${TOKEN_ENV}=$(openssl rand -hex 32) grasp-hil chip serve --profile rram-cmo --host 0.0.0.0`, 'reachable from the lab network, with a token'],
    ],
  ),
  handler: async (argv) => {
    checkFlags(argv, SERVE_FLAGS);
    const token: string | undefined = argv.token ?? (process.env[TOKEN_ENV] || undefined);
    if (!isLoopback(argv.host) && token === undefined) {
      throw new Error(`chip serve: refusing to bind ${argv.host} without a token; anyone who reaches the port could drive the chip. Give --token or $${TOKEN_ENV}, or bind 127.0.0.1`);
    }
    const periphery = argv.periphery === undefined ? {} : argv.periphery.trim().startsWith('{') ? parsePeriphery(argv.periphery) : argv.periphery;
    await initBackend(argv.backend);
    const driver = new SimulatorDriver({
      profile: argv.profile,
      periphery,
      seed: argv.seed,
      tiles: argv.tiles,
      maxBatch: argv['max-batch'],
      maxMessageBytes: argv['max-message-mb'] * (1 << 20),
    });
    const server = await serveChip(driver, { host: argv.host, port: argv.port, token });
    const caps = await driver.capabilities();
    if (argv.json) printJson({ address: server.address, ...caps, token: token !== undefined });
    else console.log(`chip serve: ${caps.profile}, ${caps.tiles} tiles of ${caps.tile.rows}×${caps.tile.cols}, listening on ${server.address}${token ? ' (token required)' : ''}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};

const conformance: Command = {
  command: 'conformance',
  describe: 'Check a chip server (ours, a lab\'s host, examples/python-chip-host) against the protocol; exits 1 on any failed check',
  builder: (y) => withExamples(
    y
      .option('address', { type: 'string', demandOption: true, describe: 'host:port of the chip server' })
      .option('token', { type: 'string', describe: `the server's token (default: $${TOKEN_ENV}); with it, authentication is checked too` })
      .option('seed', { type: 'number', default: 1234, describe: 'reset seed used by every check' }),
    [
      ['grasp-hil chip conformance --address 127.0.0.1:50051', 'check a local server'],
      ['grasp-hil chip conformance --address lab-host:50051 --token $TOKEN --json', 'check a lab host, machine-readable'],
    ],
  ),
  handler: async (argv) => {
    const token: string | undefined = argv.token ?? (process.env[TOKEN_ENV] || undefined);
    const line = (c: CheckResult) => console.log(`${c.status.toUpperCase().padEnd(4)}  ${c.name} — ${c.detail} (${c.ms} ms)`);
    const r = await runConformance(argv.address, { token, seed: numericFlag(argv.seed, 'seed', SEED), onCheck: argv.json ? undefined : line });
    if (argv.json) printJson(r);
    else console.log(`conformance of ${r.driver ?? 'chip'} at ${r.address}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    if (r.failed > 0) process.exitCode = 1;
  },
};

export const chip: Command = {
  command: 'chip <command>',
  describe: 'Chip in the loop: serve a simulated chip over gRPC, check a chip server against the protocol',
  builder: (y) => y.command(laidOut(serve)).command(laidOut(conformance)).demandCommand(1, 'Name a chip command: serve or conformance.'),
  handler: () => undefined,
};
