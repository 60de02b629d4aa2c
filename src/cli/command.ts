/**
 * The shape of a CLI command. Each command lives in its own file under commands/ and is listed once
 * in commands/index.ts; main.ts knows none of them by name. Commands stay thin: parse, call the
 * library (only what src/index.ts exports), print.
 */
import type { Argv, CommandModule } from 'yargs';

export interface GlobalOptions {
  backend?: string;
  json?: boolean;
  debug?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Command = CommandModule<GlobalOptions, any>;

/** Adds `--help` examples: [command line, what it does]. */
export function withExamples<T>(y: Argv<T>, examples: [string, string][]): Argv<T> {
  for (const [cmd, what] of examples) y.example(cmd, what);
  return y;
}

/** Prints a value as JSON on stdout (machine output). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
