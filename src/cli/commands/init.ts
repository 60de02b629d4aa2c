/**
 * `grasp-hil init [file]`: writes a starter experiment — small (tiny-roberta, Brown genre, a few
 * steps; seconds on a laptop), valid, and complete enough to show every part of a report: GRASP
 * against StochGRASP with σ_target from the PCM profile (`compareTo`), the noise protocol, the
 * hardware protocol at one minute and one day after programming, device rows. Its `$schema` is the
 * installed package's schema as a path relative to the new file, so editors validate and complete it
 * wherever it is. An existing file is kept unless `--force`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { EXPERIMENT_SCHEMA_PATH } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `$schema` for a file at `file`: the installed schema, relative to the file's folder, with forward slashes. */
export function schemaRef(file: string): string {
  const rel = relative(dirname(resolve(file)), EXPERIMENT_SCHEMA_PATH).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The starter experiment written to `file`. */
export function starterExperiment(file: string, name: string): Record<string, unknown> {
  return {
    $schema: schemaRef(file),
    name,
    description: 'Starter experiment from grasp-hil init: GRASP against StochGRASP on the shipped tiny-roberta, evaluated with injected noise and on a simulated PCM chip. Edit freely; `grasp-hil schema experiment` describes every field.',
    model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 64, evalExamples: 32 },
    training: { maxSteps: 8, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [
      { id: 'grasp', label: 'GRASP (K=8)', method: 'grasp', options: { k: 8, sites: 'ff2' } },
      { id: 'stochgrasp', label: 'StochGRASP (K=8)', method: 'stochgrasp', options: { k: 8, rows: 1, sites: 'ff2', lambda: 0.01 }, sigmaTarget: { fromProfile: true, t: 86400 } },
    ],
    compareTo: 'grasp',
    profiles: ['pcm-aihwkit'],
    evaluation: {
      noise: { sigmas: [0, 0.02, 0.05] },
      hardware: { times: [60, 86400], compensation: ['global'], sites: 'ff2' },
      device: { levels: [0.5], times: [60, 86400], samples: 1000 },
    },
    periphery: { tile: { rows: 64, cols: 64 }, dac: { bits: 8 }, adc: { bits: 8, bound: 12 } },
    seeds: { grouping: 0, train: [0], chip: [0], read: 0, noise: [0, 1] },
  };
}

export const init: Command = {
  command: 'init [file]',
  describe: 'Write a small starter experiment to edit and run',
  builder: (y) =>
    withExamples(
      y.positional('file', { type: 'string', default: 'experiment.json', describe: 'experiment file to write' })
        .option('name', { type: 'string', describe: 'experiment name, the report folder reports/<name>/ (default: the file name without .json)' })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite the file if it exists' }),
      [
        ['grasp-hil init my-study.json && grasp-hil run my-study.json', 'write a starter and run it (seconds)'],
        ['grasp-hil init studies/pcm.json --name pcm-first --force', 'a named experiment in a folder, replacing an older file'],
      ],
    ),
  handler: (argv) => {
    const file = String(argv.file);
    const name = argv.name === undefined ? basename(file).replace(/\.json$/i, '') : String(argv.name);
    if (!NAME.test(name)) {
      throw new Error(`${argv.name === undefined ? `the file name '${basename(file)}' does not make` : `--name '${name}' is not`} a valid experiment name (letters, digits, '.', '_', '-', starting with a letter or digit); pass --name`);
    }
    if (existsSync(file) && !argv.force) throw new Error(`${file} exists; choose another file or pass --force to overwrite it`);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, `${JSON.stringify(starterExperiment(file, name), null, 2)}\n`);
    if (argv.json) return printJson({ file: resolve(file), name });
    console.log(`wrote ${file} (experiment '${name}'); run it with: grasp-hil run ${file}`);
  },
};
