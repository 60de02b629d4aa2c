/** `grasp-hil schema experiment|profile`: prints a shipped JSON Schema (for editors, validators, reading). */
import { readFileSync } from 'node:fs';
import { EXPERIMENT_SCHEMA_PATH, PROFILE_SCHEMA_PATH } from '../../internal.js';
import { withExamples, type Command } from '../command.js';

/** Schema name → shipped file. */
export const SCHEMAS: Readonly<Record<string, string>> = {
  experiment: EXPERIMENT_SCHEMA_PATH,
  profile: PROFILE_SCHEMA_PATH,
};

export const schema: Command = {
  command: 'schema <name>',
  describe: 'Print the JSON Schema of experiment files or device profiles',
  builder: (y) =>
    withExamples(
      y.positional('name', { type: 'string', choices: Object.keys(SCHEMAS), describe: 'which schema', demandOption: true })
        .option('path', { type: 'boolean', default: false, describe: 'print the path of the installed schema file instead of its content' }),
      [
        ['grasp-hil schema experiment', 'the experiment schema, every field described with its unit'],
        ['grasp-hil schema profile --path', 'where the installed device-profile schema is'],
      ],
    ),
  handler: (argv) => {
    const file = SCHEMAS[String(argv.name)];
    if (argv.path) return void console.log(file);
    process.stdout.write(readFileSync(file, 'utf8'));
  },
};
