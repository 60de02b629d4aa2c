/**
 * Every command's --help, rendered in-process at 80 and 160 columns: no line wider than the terminal,
 * no word broken by the wrapping (the words read the same at both widths), every option described,
 * every command with examples. Sub-commands are found from their parent's help.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { helpText, program } from '../../src/cli/program.js';
import { closestName, editDistance } from '../../src/io/index.js';

const WIDTHS = [80, 160];

/** The words of a help text, with example continuations (` \` + newline) joined back. */
function words(text: string): string[] {
  return text.replace(/ \\\n\s+/g, ' ').split(/\s+/).filter((w) => w !== '');
}

async function everyCommand(): Promise<string[][]> {
  const out: string[][] = [];
  for (const c of commands) {
    const name = String(c.command).split(' ')[0];
    out.push([name]);
    const help = await helpText([name], 160);
    const section = help.split('Commands:')[1]?.split('\n\n')[0] ?? '';
    for (const m of section.matchAll(new RegExp(`grasp-hil ${name} (\\S+)`, 'g'))) out.push([name, m[1]]);
  }
  return out;
}

describe('CLI help', () => {
  it('fits 80 and 160 columns, never breaks a word, describes every option and shows examples', async () => {
    const all = await everyCommand();
    expect(all.map((c) => c.join(' '))).toEqual(expect.arrayContaining(['run', 'train', 'device stats', 'profiles show']));
    for (const cmd of all) {
      const texts = await Promise.all(WIDTHS.map((w) => helpText(cmd, w)));
      texts.forEach((t, i) => {
        const wide = t.split('\n').filter((l) => l.length > WIDTHS[i]);
        expect(wide, `${cmd.join(' ')} at ${WIDTHS[i]} columns`).toEqual([]);
      });
      expect(words(texts[0]), `${cmd.join(' ')}: words differ between 80 and 160 columns`).toEqual(words(texts[1]));
      const hasSub = texts[1].includes('Commands:');
      if (!hasSub) {
        expect(texts[1], `${cmd.join(' ')} has no examples`).toMatch(/\nExamples:\n/);
        const options = texts[1].split('Options:')[1].split('\n\n')[0].split('\n').filter((l) => /^\s+(-\w, )?--[\w-]+/.test(l));
        for (const line of options) {
          const rest = line.replace(/^\s+(-\w, )?--[\w-]+/, '').trim();
          expect(rest === '' || rest.startsWith('('), `${cmd.join(' ')}: option without a description: ${line.trim()}`).toBe(false);
        }
      }
    }
  });

  it('--backend appears only on commands that run the tensor engine', async () => {
    expect(await helpText(['train'], 160)).toMatch(/--backend/);
    expect(await helpText(['params'], 160)).not.toMatch(/--backend/);
    expect(await helpText(['profiles', 'list'], 160)).not.toMatch(/--backend/);
  });

  it('a mistyped option or command gets "did you mean"', async () => {
    const errors: string[] = [];
    const cli = program(['params', '--config', 'x.json', '--method', 'grasp', '--rnak', '4'], { onUsageError: (m) => errors.push(m) }).exitProcess(false);
    await cli.parseAsync().catch(() => undefined);
    expect(errors.join('\n')).toMatch(/--rnak \(did you mean --rank\?\)/);
    expect(closestName('trian', ['train', 'run', 'report'])).toBe('train');
    expect(closestName('zzzzz', ['train', 'run'])).toBeNull();
    expect(editDistance('adc.bitz', 'adc.bits')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});
