import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { countParameters, parseConfig, readJsonFile } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';
import { checkFlags, checkRowsFlag, COUNT } from '../flags.js';
import { methodOptions } from './method-options.js';

/** Reads a Hugging Face config.json (or the one inside a model folder). */
export function readConfigFile(path: string) {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'config.json') : path;
  return parseConfig(readJsonFile(file, 'config file'), file);
}

export const params: Command = {
  command: 'params',
  describe: "Count a method's trainable parameters from a model config alone",
  builder: (y) =>
    withExamples(
      y
        .option('config', { type: 'string', demandOption: true, describe: 'Hugging Face config.json (or a model folder)' })
        .option('method', { type: 'string', demandOption: true, describe: 'grasp | stochgrasp | grasp-weight | lora | bitfit | ia3 | red | full | top-k' })
        .option('k', { type: 'number', describe: 'groups per Site (GRASP family); blocks for top-k' })
        .option('rows', { type: 'string', describe: "row groups of StochGRASP / grasp-weight: a count or 'all'" })
        .option('sites', { type: 'string', describe: 'Site selector: all-linear | kvff2 | ff2 | qv | names | /regex/' })
        .option('rank', { type: 'number', describe: 'LoRA rank r (default 8)' })
        .option('labels', { type: 'number', describe: 'classification head outputs (counted apart as head)' })
        .option('option', { type: 'string', array: true, describe: 'any method option as key=value (repeatable)' }),
      [
        ['grasp-hil params --config roberta-base/config.json --method grasp --k 32 --json', 'GRASP on every linear layer'],
        ['grasp-hil params --config gpt2-medium/config.json --method lora --rank 4', 'LoRA on c_attn'],
      ],
    ),
  handler: async (argv) => {
    checkFlags(argv, { k: COUNT, rank: COUNT, labels: COUNT });
    checkRowsFlag(argv.rows);
    const config = readConfigFile(argv.config as string);
    const report = countParameters(config, argv.method as string, methodOptions(argv), argv.labels as number | undefined);
    const out = { trainable: report.trainable, total: report.total, percent: report.percent, head: report.head, sites: report.sites };
    if (argv.json) return printJson(out);
    console.log(`method:    ${report.method}`);
    console.log(`trainable: ${report.trainable.toLocaleString('en-US')} (${report.percent.toFixed(4)} % of ${report.total.toLocaleString('en-US')})`);
    console.log(`head:      ${report.head.toLocaleString('en-US')} (not counted as trainable)`);
    console.log(`sites:     ${report.sites.length}`);
  },
};
