/**
 * The shape of a CLI command. Each command lives in its own file under commands/ and is listed once
 * in commands/index.ts; program.ts knows none of them by name. Commands stay thin: parse, call the
 * library (only what src/index.ts exports), print.
 *
 * Help text is laid out for the terminal's width (`helpColumns`): yargs wraps option descriptions at
 * spaces, and examples are rendered here as shell lines broken only between words, with a trailing
 * `\` so that every example can be copied as it stands.
 */
import type { Argv, CommandModule } from 'yargs';

const BACKEND = { type: 'string', describe: 'TF.js backend: auto | tensorflow | wasm | cpu (default: auto, or $GRASP_HIL_BACKEND)' } as const;

export interface GlobalOptions {
  backend?: string;
  json?: boolean;
  debug?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Command = CommandModule<GlobalOptions, any> & {
  /** The command runs the tensor engine, so `--backend` applies to it. */
  tensors?: boolean;
};

let columns = 100;

/** Help width in columns: the terminal's (or $COLUMNS), between 60 and 160. */
export function setHelpColumns(n: number): void {
  columns = Math.max(60, Math.min(160, Math.floor(n)));
}

export function helpColumns(): number {
  return columns;
}

/** Breaks a shell command between words into lines of at most `width` characters, continued with ` \`. */
export function shellLines(cmd: string, width: number, indent = '    '): string[] {
  const words = cmd.split(/ +/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line === '' ? w : `${line} ${w}`;
    // Room for the indent and for ' \' at the end of a continued line.
    if (line !== '' && indent.length + next.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `  ${w}`;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l) => `${indent}${l}`);
}

/** Adds `--help` examples: [command line, what it does]. */
export function withExamples<T>(y: Argv<T>, examples: [string, string][]): Argv<T> {
  const width = helpColumns();
  const text = ['Examples:', ...examples.flatMap(([cmd, what]) => [`  ${what}:`, ...shellLines(cmd, width)])].join('\n');
  return y.epilogue(text);
}

interface Internals {
  getOptions(): { key: Record<string, unknown>; default: Record<string, unknown>; demandedOptions: Record<string, unknown>; choices: Record<string, unknown[]>; hiddenOptions: string[] };
  getInternalMethods(): { getUsageInstance(): { getDescriptions(): Record<string, string | undefined> } };
}

/**
 * Puts each option's default, "required" and choices into its description, in words, instead of yargs's
 * right-hand `[number] [default: 3]` column (which cliui can glue to the last word of a description).
 */
function describeExtras(y: Argv): Argv {
  const inner = y as unknown as Internals;
  const o = inner.getOptions();
  const descriptions = inner.getInternalMethods().getUsageInstance().getDescriptions();
  for (const key of Object.keys(o.key)) {
    if (['help', 'version', 'json', 'debug'].includes(key) || o.hiddenOptions.includes(key)) continue;
    const notes: string[] = [];
    if (o.choices[key]) notes.push(`one of: ${o.choices[key].join(', ')}`);
    if (key in o.demandedOptions) notes.push('required');
    else if (o.default[key] !== undefined && o.default[key] !== false) notes.push(`default: ${JSON.stringify(o.default[key])}`);
    const text = descriptions[key] ?? '';
    y.describe(key, notes.length ? `${text}${text ? ' ' : ''}(${notes.join('; ')})` : text);
  }
  return (y as unknown as { usageConfiguration(c: Record<string, boolean>): Argv }).usageConfiguration({ 'hide-types': true });
}

/** A command as registered: its own options, `--backend` if it runs the tensor engine, extras in words. */
export function laidOut(c: Command): Command {
  const builder = c.builder;
  return {
    ...c,
    builder: (y: Argv) => {
      const withOwn = (typeof builder === 'function' ? builder(y as never) : builder ? y.options(builder) : y) as Argv;
      return describeExtras(c.tensors ? withOwn.option('backend', BACKEND) : withOwn);
    },
  };
}

/** Prints a value as JSON on stdout (machine output). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A value with an SI prefix from atto to one, e.g. 6.824e-6 J → "6.824 µJ" (`digits` significant digits). */
export function siPrefixed(v: number, unit: string, digits = 4): string {
  if (v === 0) return `0 ${unit}`;
  const prefixes: [number, string][] = [[1, ''], [1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n'], [1e-12, 'p'], [1e-15, 'f'], [1e-18, 'a']];
  const [scale, p] = prefixes.find(([s]) => Math.abs(v) >= s) ?? prefixes[prefixes.length - 1];
  return `${Number((v / scale).toPrecision(digits))} ${p}${unit}`;
}
