/**
 * `grasp-hil chip serve|conformance|evaluate|calibrate`: expose a simulated chip over gRPC; check any chip
 * server against the protocol; evaluate a checkpoint (with an adapter folded in) on simulated chips over
 * time; calibrate a periphery-held GRASP adapter with the chip in the loop (src/hil/calibrate.ts).
 * evaluate and calibrate take a simulated chip (--profile) or a chip server (--chip grpc://host:port,
 * driven with blocking calls from the forward pass: src/hil/model-on-chip.ts).
 */
import {
  applyMerged, attachChip, attachSites, BlockingChipClient, calibrateOnChip, Chip, chipAt, evaluateOverDriver, programSites, COMPENSATION_MODES, encodeExamples, evaluateDetailed, evaluateOverChips, taskFromArg, headParamNames,
  initBackend, isLoopback, loadAdapter, loadCheckpoint, loadTokenizer, metricWithCi, pairedMcNemar, numOutputs, paramState, PERIPHERY_PRESETS,
  runConformance, saveAdapter, seededSubset, selectSites, serveSimulatorThreaded, SimulatorDriver, weightsOfSites, Rng,
  type Adapter, type CheckResult, type CompensationMode, type EncodedSet, type LocalTaskType, type Model, type Task,
} from '../../internal.js';
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
    // the simulator and gRPC each on a thread of its own (src/hil/simulator-thread.ts)
    const { server, caps } = await serveSimulatorThreaded({
      profile: argv.profile,
      periphery,
      seed: argv.seed,
      tiles: argv.tiles,
      maxBatch: argv['max-batch'],
      maxMessageBytes: argv['max-message-mb'] * (1 << 20),
      backend: argv.backend,
    }, { host: argv.host, port: argv.port, token });
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

/** Options both evaluate and calibrate read: the task, its data, the evaluation subset. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function taskOptions(y: any) {
  return y
    .positional('model', { type: 'string', demandOption: true, describe: 'base model folder (config.json + model.safetensors + tokenizer)' })
    .option('profile', { type: 'string', describe: 'shipped device profile id or path to a profile .json (simulated in-process; or give --chip)' })
    .option('chip', { type: 'string', describe: `a chip server instead of a profile: grpc://host:port (\`grasp-hil chip serve\`, a lab's host); token from $${TOKEN_ENV}; compensation none or global (done by this host)` })
    .option('periphery', { type: 'string', describe: `periphery preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}) or a JSON object of periphery options` })
    .option('sites', { type: 'string', default: 'all-linear', describe: 'Sites on the chip (preset, names, suffixes, /regex/); the rest stays digital' })
    .option('task', { type: 'string', demandOption: true, describe: 'task id (brown-genre, spam, a GLUE task with --data) or a local task folder (train.tsv, dev.tsv/test.tsv with sentence and label columns)' })
    .option('data', { type: 'string', describe: 'task data folder (GLUE TSV files)' })
    .option('task-type', { type: 'string', choices: ['classification', 'regression'], describe: 'a local task folder\'s labels: classes (default) or real-valued scores (regression: one output, Pearson/Spearman)' })
    .option('split', { type: 'string', describe: 'evaluation split (default: test, else the task\'s first evaluation split)' })
    .option('eval-examples', { type: 'number', default: 256, describe: 'fixed seeded subset of the evaluation split (as train --eval-examples)' })
    .option('max-length', { type: 'number', default: 128, describe: 'tokens per example, special tokens included' })
    .option('allow-base-mismatch', { type: 'boolean', default: false, describe: 'use an adapter made for another base model' });
}

function compensationOf(v: unknown, flag: string): CompensationMode {
  if (!(COMPENSATION_MODES as readonly unknown[]).includes(v)) throw new Error(`${flag} must be one of ${COMPENSATION_MODES.join(', ')}, got ${String(v)}`);
  return v as CompensationMode;
}

function seconds(v: unknown, flag: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) throw new Error(`${flag} must be seconds after programming (a finite number ≥ 0, e.g. 86400 for one day), got ${String(v)}`);
  return x;
}

interface Loaded {
  model: Model;
  task: Task;
  adapter: Adapter | null;
  /** The head was initialised at random (no head in the checkpoint or the adapter). */
  randomHead: boolean;
  evalSet: EncodedSet;
  split: string;
  tokenizer: ReturnType<typeof loadTokenizer>;
  data: ReturnType<Task['load']>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function loadForChip(argv: any, adapterDir: string | undefined): Promise<Loaded> {
  await initBackend(argv.backend);
  const { task, data } = taskFromArg(argv.task, argv.data, argv['task-type'] as LocalTaskType | undefined);
  const split = argv.split ?? ('test' in data.evaluation ? 'test' : Object.keys(data.evaluation)[0]);
  const ex = data.evaluation[split];
  if (!ex) throw new Error(`--split: task ${task.id} has no split '${split}'; splits: ${Object.keys(data.evaluation).join(', ')}`);
  const { model, report } = await loadCheckpoint(argv.model, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
  const tokenizer = loadTokenizer(argv.model);
  let adapter: Adapter | null = null, headParams: string[] = [];
  if (adapterDir !== undefined) {
    ({ adapter, headParams } = await loadAdapter(adapterDir, model, { baseModel: argv.model, allowBaseMismatch: argv['allow-base-mismatch'], onWarning: (m) => console.error(`warning: ${m}`) }));
  }
  const evalSet = encodeExamples(tokenizer, seededSubset(ex, argv['eval-examples'], `${task.id}/${split}`), argv['max-length']);
  return { model, task, adapter, randomHead: report.initialised.length > 0 && headParams.length === 0, evalSet, split, tokenizer, data };
}

/** The chip server of --chip grpc://host:port, connected (blocking calls for forward passes), or null with --profile. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function chipArg(argv: any): BlockingChipClient | null {
  if ((argv.chip === undefined) === (argv.profile === undefined)) throw new Error('give exactly one of --profile <id> (a simulated chip) or --chip grpc://host:port (a chip server)');
  if (argv.chip === undefined) return null;
  const m = /^grpc:\/\/([^\s/]+:\d+)\/?$/.exec(argv.chip);
  if (!m) throw new Error(`--chip must be grpc://host:port, e.g. grpc://127.0.0.1:50051, got '${argv.chip}'`);
  if (argv.periphery !== undefined) throw new Error('--periphery applies to --profile only; a chip server has its own periphery');
  return BlockingChipClient.connect(m[1], { token: process.env[TOKEN_ENV] || undefined });
}

function peripheryArg(v: string | undefined): object | string {
  return v === undefined ? {} : v.trim().startsWith('{') ? parsePeriphery(v) : v;
}

const RANDOM_HEAD = 'note: the task head is random (neither the checkpoint nor an adapter holds one): accuracies show how the chip changes this model\'s predictions, not task skill';

const chipEvaluate: Command = {
  tensors: true,
  command: 'evaluate <model>',
  describe: 'Program a checkpoint (an adapter folded in) on simulated chips and evaluate it at each time and compensation, with 95 % CIs over chips × examples',
  builder: (y) => withExamples(
    taskOptions(y)
      .option('adapter', { type: 'string', describe: 'adapter folder (grasp-hil or PEFT); folded into the programmed weights' })
      .option('times', { type: 'number', array: true, default: [1, 86400], describe: 'seconds after programming (repeatable)' })
      .option('compensation', { type: 'string', array: true, default: ['global'], describe: `drift compensation (repeatable): ${COMPENSATION_MODES.join(' | ')}` })
      .option('chips', { type: 'number', default: 3, describe: 'chips programmed (chip seeds --seed … --seed + chips − 1)' })
      .option('seed', { type: 'number', default: 0, describe: 'first chip seed; also the bootstrap seed' }),
    [
      ['grasp-hil chip evaluate models/tiny-roberta --adapter runs/grasp --task brown-genre --profile pcm-aihwkit --times 1 86400 2592000 --compensation none global', 'an adapter on PCM over a month'],
      ['grasp-hil chip evaluate models/tiny-roberta --task spam --profile rram-cmo --chips 5', 'a bare checkpoint (random head)'],
      ['grasp-hil chip evaluate models/tiny-roberta --adapter runs/grasp --task brown-genre --chip grpc://127.0.0.1:50051 --times 1 86400', 'on a chip server (`chip serve`, a lab\'s host)'],
    ],
  ),
  handler: async (argv) => {
    const chips = numericFlag(argv.chips, 'chips', { integer: true, min: 1, max: 1000 });
    const seed = numericFlag(argv.seed, 'seed', SEED);
    const times = (argv.times as unknown[]).map((t) => seconds(t, '--times'));
    const compensations = (argv.compensation as unknown[]).map((c) => compensationOf(c, '--compensation'));
    const periphery = peripheryArg(argv.periphery);
    const remote = chipArg(argv);
    const l = await loadForChip(argv, argv.adapter);
    const weights = weightsOfSites(selectSites(l.model, argv.sites));
    const digital = evaluateDetailed(l.model, l.task, l.evalSet).metrics[l.task.primaryMetric]; // adapter attached, all digital
    if (l.adapter) {
      // folded: the merged W' programmed on the chip Sites; merged weights digital on the others
      const merged = l.adapter.merge();
      l.adapter.detach();
      for (const [name, w] of merged.sites) if (weights.has(name)) weights.set(name, w);
      applyMerged(l.model, { sites: new Map([...merged.sites].filter(([n]) => !weights.has(n))), params: merged.params });
    }
    const chipSeeds = Array.from({ length: chips }, (_, i) => seed + i);
    let results;
    try {
      results = remote
        ? evaluateOverDriver(l.model, l.task, l.evalSet, weights, remote, { times, compensations, chipSeeds, seed })
        : evaluateOverChips(l.model, l.task, l.evalSet, weights, { profile: argv.profile, periphery, times, compensations, chipSeeds, seed });
    } finally {
      remote?.closeSync();
    }
    const profile = remote ? `${argv.chip}` : argv.profile;
    if (argv.json) {
      return printJson({
        task: l.task.id, split: l.split, examples: l.evalSet.labels.length, profile, adapter: argv.adapter ?? null, randomHead: l.randomHead, digital,
        results: results.map((r) => ({ t: r.t, compensation: r.compensation, metric: r.metricName, mean: r.mean, ci: r.ci, mvmCalls: r.mvmCalls, chips: r.runs.map((x) => ({ chipSeed: x.chipSeed, metric: x.metric })) })),
      });
    }
    if (l.randomHead) console.log(RANDOM_HEAD);
    console.log(`${l.task.id}/${l.split}, ${l.evalSet.labels.length} examples, ${profile}, ${chips} chip${chips > 1 ? 's' : ''}; digital ${l.task.primaryMetric} ${digital.toFixed(4)}`);
    for (const r of results) console.log(`t=${r.t} s  ${r.compensation.padEnd(12)} ${r.metricName} ${r.mean.toFixed(4)}  95 % CI [${r.ci[0].toFixed(4)}, ${r.ci[1].toFixed(4)}]  (${r.mvmCalls} MVM calls)`);
  },
};

const calibrate: Command = {
  tensors: true,
  command: 'calibrate <model>',
  describe: 'Calibrate a GRASP adapter held in the periphery with the chip in the loop: forward through the programmed, drifted tiles, straight-through gradients',
  builder: (y) => withExamples(
    taskOptions(y)
      .option('adapter', { type: 'string', demandOption: true, describe: 'GRASP adapter folder to start from (its γ/β stay digital, in front of the DAC)' })
      .option('out', { type: 'string', demandOption: true, describe: 'folder for the calibrated adapter' })
      .option('t', { type: 'number', default: 86400, describe: 'seconds after programming at which the chip is calibrated' })
      .option('compensation', { type: 'string', default: 'global', describe: `drift compensation: ${COMPENSATION_MODES.join(' | ')}` })
      .option('examples', { type: 'number', default: 64, describe: 'calibration examples: a fixed seeded subset of the training split' })
      .option('steps', { type: 'number', default: 50, describe: 'optimiser steps' })
      .option('batch-size', { type: 'number', default: 16, describe: 'examples per step' })
      .option('lr', { type: 'number', default: 0.01, describe: 'learning rate of γ/β (AdamW, constant)' })
      .option('task-head', { type: 'boolean', default: false, describe: 'train the (digital) task head too, at lr/10' })
      .option('seed', { type: 'number', default: 0, describe: 'chip seed (devices, drift, read noise) and batch-order seed' }),
    [
      ['grasp-hil chip calibrate models/tiny-roberta --adapter runs/grasp --out runs/grasp-pcm30d --task brown-genre --profile pcm-aihwkit --t 2592000 --compensation none --examples 64 --steps 50', 'a month of uncompensated PCM drift'],
      ['grasp-hil chip calibrate models/tiny-roberta --adapter runs/grasp --out runs/grasp-lab --task brown-genre --chip grpc://lab-host:50051 --t 0 --examples 64', 'on a lab\'s chip server ($GRASP_HIL_CHIP_TOKEN)'],
    ],
  ),
  handler: async (argv) => {
    const t = seconds(argv.t, '--t');
    const compensation = compensationOf(argv.compensation, '--compensation');
    const n = numericFlag(argv.examples, 'examples', { integer: true, min: 1, max: 1 << 20 });
    const steps = numericFlag(argv.steps, 'steps', { integer: true, min: 1, max: 1 << 20 });
    const seed = numericFlag(argv.seed, 'seed', SEED);
    const periphery = peripheryArg(argv.periphery);
    const remote = chipArg(argv);
    const l = await loadForChip(argv, argv.adapter);
    const adapter = l.adapter!;
    if (l.randomHead && !argv['task-head']) console.error(`warning: ${RANDOM_HEAD}; consider --task-head`);
    const trainSet = encodeExamples(l.tokenizer, seededSubset(l.data.train, n, `${l.task.id}/train`), argv['max-length']);
    const t0 = performance.now();
    const weights = weightsOfSites(selectSites(l.model, argv.sites));
    if (remote && compensation !== 'none' && compensation !== 'global') throw new Error(`--compensation ${compensation} is not available with --chip; the host compensates global or none`);
    const placed = remote ? programSites(remote, weights, { seed, compensation: compensation === 'global' }) : null;
    const chip = remote ? null : Chip.program(weights, argv.profile, periphery, { chip: seed, read: seed });
    const programS = (performance.now() - t0) / 1000;
    if (placed) chipAt(placed, t);
    const state = chip ? chip.at(t, { compensation }) : undefined;
    const attach = (straightThrough = false) => (placed ? attachSites(placed, l.model, { straightThrough }) : attachChip(state!, l.model, { straightThrough }));
    const measure = () => {
      const att = attach();
      try {
        return { ...evaluateDetailed(l.model, l.task, l.evalSet), calls: att.mvm.calls };
      } finally {
        att.detach();
      }
    };
    const before = measure();
    const r = calibrateOnChip({ model: l.model, adapter, ...(placed ? { attach: () => attach(true) } : { state }), kind: l.task.kind, examples: trainSet }, {
      steps, batchSize: numericFlag(argv['batch-size'], 'batch-size', { integer: true, min: 1, max: 1 << 16 }), lr: argv.lr, trainHead: argv['task-head'], seed,
      onStep: argv.json ? undefined : (s) => { if (s.step === 1 || s.step % 10 === 0 || s.step === s.steps) console.error(`step ${s.step}/${s.steps} loss ${s.loss.toFixed(4)}`); },
    });
    const after = measure();
    state?.dispose();
    remote?.closeSync();
    const labels = l.evalSet.labels;
    const mc = l.task.kind === 'classification' ? pairedMcNemar(labels, after.predictions, before.predictions) : null;
    const name = l.task.primaryMetric;
    const ci = (p: Float32Array, side: string) => metricWithCi(l.task, labels, [p], new Rng(seed, `bootstrap/calibrate/${side}`)).ci;
    const head = argv['task-head'] ? r.headState : paramState(l.model, headParamNames(l.model));
    await saveAdapter(argv.out, l.model, adapter, { head, baseModel: argv.model });
    const out = {
      task: l.task.id, split: l.split, examples: labels.length, profile: argv.profile ?? argv.chip, t, compensation, calibrationExamples: trainSet.labels.length, steps: r.steps,
      loss: { first: r.losses[0], last: r.losses[r.losses.length - 1] }, mvm: r.mvm, calibrateSeconds: r.seconds, programSeconds: programS,
      before: { metric: name, value: before.metrics[name], ci: ci(before.predictions, 'before') },
      after: { metric: name, value: after.metrics[name], ci: ci(after.predictions, 'after') },
      mcnemar: mc, out: argv.out, randomHead: l.randomHead,
    };
    if (argv.json) return printJson(out);
    const f = (x: { value: number; ci: [number, number] }) => `${x.value.toFixed(4)} [${x.ci[0].toFixed(4)}, ${x.ci[1].toFixed(4)}]`;
    console.log(`calibrated ${adapter.method} on ${argv.profile ?? argv.chip} at t=${t} s (${compensation}) with ${out.calibrationExamples} examples, ${r.steps} steps: loss ${out.loss.first.toFixed(4)} → ${out.loss.last.toFixed(4)}`);
    console.log(`chip: ${r.mvm.calls} MVM calls, ${r.mvm.vectors} input vectors, ${r.seconds.toFixed(1)} s calibrating (${programS.toFixed(1)} s programming)`);
    console.log(`${l.task.id}/${l.split} (${labels.length} examples) ${name}, 95 % CI: before ${f(out.before)}  after ${f(out.after)}` +
      (mc ? `  McNemar exact p = ${mc.p.toPrecision(3)} (${mc.b} fixed, ${mc.c} broken)` : ''));
    console.log(`saved the calibrated adapter to ${argv.out}`);
  },
};

export const chip: Command = {
  command: 'chip <command>',
  describe: 'Chip in the loop: serve a simulated chip over gRPC, check a chip server, evaluate a checkpoint on chips, calibrate a periphery-held adapter',
  builder: (y) => y.command(laidOut(serve)).command(laidOut(conformance)).command(laidOut(chipEvaluate)).command(laidOut(calibrate))
    .demandCommand(1, 'Name a chip command: serve, conformance, evaluate or calibrate.'),
  handler: () => undefined,
};
