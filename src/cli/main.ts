#!/usr/bin/env node
/** grasp-hil command line: parse, call the library, print. Errors become one message and exit 1. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('grasp-hil')
    .usage('$0 <command> [options]\n\nAnalog in-memory-computing simulator with GRASP / StochGRASP fine-tuning.')
    .option('backend', { type: 'string', describe: 'TF.js backend: auto | tensorflow | wasm | cpu (env GRASP_HIL_BACKEND)', global: true })
    .option('json', { type: 'boolean', describe: 'machine-readable output', global: true })
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', global: true, hidden: true })
    .demandCommand(1, 'Name a command; see grasp-hil --help.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(process.stdout.columns ? Math.min(120, process.stdout.columns) : 120)
    .fail((msg, err, y) => {
      if (err) throw err;
      console.error(`${y.help()}\n\ngrasp-hil: ${msg}`);
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  const debug = process.argv.includes('--debug') || process.env.GRASP_HIL_DEBUG === '1';
  console.error(`grasp-hil: ${debug ? e.stack : e.message}`);
  process.exit(1);
});
