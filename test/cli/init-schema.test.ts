/**
 * `grasp-hil init` writes a starter experiment that validates, plans, compares with a baseline and
 * whose `$schema` resolves to the installed schema file; it refuses to overwrite without --force.
 * `grasp-hil schema` prints the shipped schemas.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { program } from '../../src/cli/program.js';
import { PROFILE_SCHEMA_PATH } from '../../src/device/index.js';
import { EXPERIMENT_SCHEMA_PATH, loadExperiment, plan, planSize } from '../../src/experiment/index.js';
import { resolveProfile } from '../../src/experiment/inputs.js';
import { validateStatic } from '../../src/experiment/validate.js';

async function cli(args: string[]): Promise<void> {
  await program(args, { onUsageError: (m) => { throw new Error(m); } }).exitProcess(false).parseAsync();
}

describe('grasp-hil init', () => {
  const dir = mkdtempSync(join(tmpdir(), 'init-'));

  it('writes a valid, small starter with compareTo whose $schema resolves to the installed schema', async () => {
    const file = join(dir, 'nested', 'study.json');
    await cli(['init', file]);
    const text = readFileSync(file, 'utf8');
    const { experiment } = loadExperiment(file);
    expect(experiment.name).toBe('study');
    expect(experiment.compareTo).toBe('grasp');
    expect(validateStatic(experiment, file).errors).toEqual([]);
    const profiles = new Map((experiment.profiles ?? []).map((id) => [id, resolveProfile(file, id)]));
    const p = plan(experiment, { model: 'm', data: 'd', profiles });
    expect(p.adapters.length).toBe(2);
    expect(planSize(experiment).total).toBeLessThan(60);
    const ref = (JSON.parse(text) as { $schema: string }).$schema;
    expect(ref.startsWith('.')).toBe(true);
    expect(resolve(dirname(file), ref)).toBe(EXPERIMENT_SCHEMA_PATH);
    expect(existsSync(resolve(dirname(file), ref))).toBe(true);
  });

  it('refuses to overwrite without --force, and takes --name', async () => {
    const file = join(dir, 'mine.json');
    writeFileSync(file, '{"keep": true}\n');
    await expect(cli(['init', file])).rejects.toThrow(/mine.json exists; choose another file or pass --force/);
    expect(readFileSync(file, 'utf8')).toBe('{"keep": true}\n');
    await cli(['init', file, '--force', '--name', 'pcm-first']);
    expect(loadExperiment(file).experiment.name).toBe('pcm-first');
    await expect(cli(['init', join(dir, 'x.json'), '--name', 'bad name'])).rejects.toThrow(/--name 'bad name' is not a valid experiment name/);
  });
});

describe('grasp-hil schema', () => {
  it('prints the shipped schemas from the installed package', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    const log = vi.spyOn(console, 'log').mockImplementation((s) => { out.push(`${String(s)}\n`); });
    try {
      await cli(['schema', 'experiment']);
      expect(out.join('')).toBe(readFileSync(EXPERIMENT_SCHEMA_PATH, 'utf8'));
      out.length = 0;
      await cli(['schema', 'profile', '--path']);
      expect(out.join('')).toBe(`${PROFILE_SCHEMA_PATH}\n`);
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
  });
});
