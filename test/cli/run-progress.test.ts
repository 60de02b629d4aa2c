/**
 * `run`'s counts agree: the plan line's adapters and rows are what the train and evaluate counters
 * reach (the evaluate counter includes the device characterisations, and the plan line names them),
 * both as progress events and as the plain lines printed when stderr is not a terminal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDisplay } from '../../src/cli/run-progress.js';
import { progressLine, runExperiment, type RunProgress } from '../../src/experiment/index.js';

const tiny = fileURLToPath(new URL('../fixtures/experiments/tiny.json', import.meta.url));

describe('run progress', () => {
  it("the plan line's counts are the counts the progress reaches", async () => {
    const lines: string[] = [];
    const events: RunProgress[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'run-progress-'));
    // The tiny fixture with one method, one hardware condition and no sweep: every kind of row, fewer of them.
    const exp = JSON.parse(readFileSync(tiny, 'utf8'));
    exp.methods = exp.methods.slice(0, 1);
    exp.evaluation.hardware = { times: [1], compensation: [true], sites: 'ff2' };
    delete exp.sweeps;
    delete exp.$schema;
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify(exp));
    await runExperiment(file, { workers: 1, reportsDir: join(dir, 'reports'), log: (l) => lines.push(l), onProgress: (e) => { events.push(e); const l = progressLine(e); if (l) lines.push(l); } });
    const m = /^plan: (\d+) adapters to train, (\d+) rows to evaluate \((\d+) evaluations \+ (\d+) device characterisations\)$/.exec(lines[0]);
    expect(m, lines[0]).not.toBeNull();
    const [adapters, rows, evaluations, devices] = m!.slice(1).map(Number);
    expect(rows).toBe(evaluations + devices);
    expect(devices).toBeGreaterThan(0);
    const last = (phase: string) => events.filter((e) => e.phase === phase).at(-1)!;
    expect([last('train').done, last('train').total]).toEqual([adapters, adapters]);
    expect([last('evaluate').done, last('evaluate').total]).toEqual([rows, rows]);
    expect(events.filter((e) => e.phase === 'evaluate').map((e) => e.done)).toEqual(Array.from({ length: rows + 1 }, (_, i) => i));
    expect(lines).toContain(`evaluate: ${rows}/${rows} ${last('evaluate').label}`);
    const mid = events.find((e) => e.phase === 'evaluate' && e.done === 1)!;
    expect(mid.eta).toBeCloseTo(mid.seconds * (rows - 1), 6);
    expect(progressLine(mid)).toMatch(new RegExp(`^evaluate: 1/${rows} .* \\(ETA \\S+\\)$`));
  }, 240_000);

  it('draws bars only on a terminal and not with --json', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream;
    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    expect(runDisplay(pipe, false)).toBeNull();
    expect(runDisplay(tty, true)).toBeNull();
    const d = runDisplay(tty, false)!;
    let out = '';
    (tty as unknown as PassThrough).on('data', (c: Buffer) => { out += c.toString(); });
    d.onProgress({ phase: 'evaluate', done: 0, total: 113, label: '', seconds: 0, eta: null });
    d.onProgress({ phase: 'evaluate', done: 113, total: 113, label: 'last-row', seconds: 5, eta: 0 });
    d.stop();
    expect(out).toMatch(/evaluate +\[[^\]]+\] 113\/113 \| 5s elapsed \| ETA 0s \| last-row/);
  });
});
