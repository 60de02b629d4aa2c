/**
 * The grasp-hil command line as a yargs program: global options, every command of commands/index.ts,
 * help laid out for a given width, and the error policy — a usage error prints the command's help and
 * one line saying what was wrong (with "did you mean" for a mistyped command or option) and exits 2;
 * an error from the library becomes one message and exit 1 (main.ts).
 */
import { createRequire } from 'node:module';
import type yargsType from 'yargs';
import type { Argv } from 'yargs';
import { helpColumns, laidOut, setHelpColumns, type Command } from './command.js';
import { commands } from './commands/index.js';
import { closestName } from '../internal.js';

// yargs's CommonJS build lays help out with wrap-ansi (breaks at spaces); its ESM build's cliui breaks
// lines at a fixed column, inside words.
const yargs = createRequire(import.meta.url)('yargs') as typeof yargsType;

/** The options a command accepts, by building it on a scratch parser (for "did you mean"). */
function optionsOf(c: Command): string[] {
  const probe = yargs([]);
  if (typeof c.builder === 'function') c.builder(probe as Argv);
  else if (c.builder) probe.options(c.builder);
  const keys = Object.keys((probe as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
  return [...keys, 'help', 'json', ...(c.tensors ? ['backend'] : [])];
}

function commandName(c: Command): string {
  return String(c.command).split(' ')[0];
}

/** "Unknown argument: modle" → the same line with the closest option of the command named. */
function explainUnknown(msg: string, args: string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return msg;
  const c = commands.find((k) => commandName(k) === args.find((a) => !a.startsWith('-')));
  if (!c) return msg;
  const known = optionsOf(c);
  const hints = m[1].split(', ').map((bad) => {
    const near = closestName(bad.replace(/^-+/, ''), known);
    return near ? `--${bad.replace(/^-+/, '')} (did you mean --${near}?)` : `--${bad.replace(/^-+/, '')}`;
  });
  return `unknown option${hints.length > 1 ? 's' : ''} for '${commandName(c)}': ${hints.join(', ')}`;
}

export interface ProgramOptions {
  /** Help width; default: the terminal's, else $COLUMNS, else 100. */
  columns?: number;
  /** Called instead of exiting on a usage error (tests). */
  onUsageError?: (message: string, help: string) => void;
}

export function program(args: string[], options: ProgramOptions = {}): Argv {
  setHelpColumns(options.columns ?? process.stdout.columns ?? (Number(process.env.COLUMNS) || 100));
  let cli = yargs(args)
    .scriptName('grasp-hil')
    .usage('$0 <command> [options]\n\nAnalog in-memory-computing simulator with GRASP / StochGRASP fine-tuning.')
    .option('json', { type: 'boolean', describe: 'machine-readable output on stdout', global: true })
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', global: true, hidden: true })
    .demandCommand(1, 'Name a command; see grasp-hil --help.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(helpColumns())
    .fail((msg, err, y) => {
      if (err) throw err;
      const line = explainUnknown(msg ?? '', args);
      if (options.onUsageError) return options.onUsageError(line, '');
      console.error(`${y.help()}\n\ngrasp-hil: ${line}`);
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(laidOut(c));
  return cli;
}

/** The help text of `grasp-hil [command…] --help` at a width, without printing or exiting. */
export async function helpText(command: string[], columns: number): Promise<string> {
  return new Promise((resolve, reject) => {
    program([...command, '--help'], { columns })
      .exitProcess(false)
      .parse([...command, '--help'], {}, (err, _argv, output) => (err ? reject(err) : resolve(output)));
  });
}
