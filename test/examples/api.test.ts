/**
 * The three scripts of docs/api.md run as a user would run them (imported by package subpath —
 * grasp-hil/model, grasp-hil/peft, … — resolved to src/api/ by the vitest alias), with tiny settings:
 * example 1 trains and saves an adapter, example 2 puts the checkpoint with that adapter on a chip over
 * time, example 3 runs an experiment object with events.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as chipOverTime } from '../../examples/api/chip-over-time.js';
import { main as runWithEvents } from '../../examples/api/run-with-events.js';
import { main as trainEvaluate } from '../../examples/api/train-evaluate.js';

const dir = mkdtempSync(join(tmpdir(), 'api-examples-'));
const adapterDir = join(dir, 'adapter');

describe('docs/api.md examples', () => {
  it('docs/api.md shows each script exactly as it is in examples/api/', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const f of ['train-evaluate', 'chip-over-time', 'run-with-events']) {
      const script = readFileSync(new URL(`../../examples/api/${f}.ts`, import.meta.url), 'utf8').trimEnd();
      expect(doc.includes(`\`\`\`ts\n${script}\n\`\`\``), f).toBe(true);
    }
  });

  it('1: trains GRASP, evaluates it and saves the adapter in PEFT layout, leaking no tensor', async () => {
    const lines: string[] = [];
    const r = await trainEvaluate({ adapterDir, steps: 4, testExamples: 64, log: (l) => lines.push(l) });
    expect(r.steps).toBe(4);
    expect(Number.isInteger(r.accuracy * 64) && r.accuracy > 0).toBe(true);
    expect(r.leaked).toBe(0);
    expect(lines.some((l) => l.startsWith('step 4/4 '))).toBe(true); // the trainer's lines went to `log`
    const config = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    expect(config.task_type).toBe('SEQ_CLS');
    expect(existsSync(join(adapterDir, 'adapter_model.safetensors'))).toBe(true);
  });

  it('2: puts the checkpoint with that adapter on a PCM chip and reads it over time, with and without compensation', async () => {
    const r = await chipOverTime({ adapterDir, times: [1, 86400], chips: 1, testExamples: 32 });
    expect(r.rows.map((x) => [x.t, x.compensation])).toEqual([[1, 'none'], [1, 'global'], [86400, 'none'], [86400, 'global']]);
    for (const x of r.rows) expect(x.agreement >= 0 && x.agreement <= 1 && Number.isInteger(x.accuracy * 32)).toBe(true);
    // One second after programming, a compensated 8-bit PCM chip predicts mostly what the digital model does.
    expect(r.rows[1].agreement).toBeGreaterThan(0.5);
  });

  it('3: runs an experiment object with progress events; a second run resumes with nothing left to do', async () => {
    const lines: string[] = [];
    const first = await runWithEvents({ reportsDir: join(dir, 'reports'), steps: 2, evalExamples: 16, print: (l) => lines.push(l), signal: new AbortController().signal });
    expect(first.counts.plan).toBe(1);
    expect(first.counts.adapterTrained).toBe(2);
    expect(first.counts.trainStep).toBe(4);
    expect(first.counts.rowWritten).toBe(first.summary.rowsWritten);
    expect(first.counts.done).toBe(1);
    expect(lines[0]).toMatch(/^plan: 2 adapters to train, \d+ rows to compute \(0 already stored\)/);
    expect(lines.at(-1)).toBe(`done: ${first.summary.rowsWritten} rows written, report in ${first.summary.outDir}/index.html`);
    const again = await runWithEvents({ reportsDir: join(dir, 'reports'), steps: 2, evalExamples: 16, print: () => undefined, signal: new AbortController().signal });
    expect([again.summary.rowsWritten, again.summary.adaptersCached, again.counts.trainStep ?? 0]).toEqual([0, 2, 0]);
  });
});
