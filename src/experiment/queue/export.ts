/**
 * The rows of a queued experiment, out of the database: `export` writes them as results.jsonl (one
 * row per line, plan order, written to a temporary file and renamed), `report --from` builds the
 * same report a local run's results.jsonl gives (report/ reads only rows).
 */
import { renameSync, writeFileSync } from 'node:fs';

import type { ReportResult } from '../../report/index.js';
import { insideRoot, reportRows } from '../runner.js';
import { queueRows } from './status.js';

/** Writes the experiment's rows to `out`; returns how many. */
export async function exportRows(experiment: string, url: string, out: string): Promise<number> {
  const rows = await queueRows(experiment, url);
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  renameSync(tmp, out);
  return rows.length;
}

/** Builds reports/<experiment>/ (or, with `compareTo`, reports/<experiment>-vs-<arm>/) from the rows in the database. */
export async function reportFromQueue(experiment: string, url: string, reportsDir = 'reports', options: { compareTo?: string } = {}): Promise<ReportResult> {
  insideRoot(reportsDir, experiment, 'report name'); // refuse a name outside the reports root before querying
  const rows = await queueRows(experiment, url);
  if (rows.length === 0) throw new Error(`experiment '${experiment}' has no rows in the queue database yet (grasp-hil status ${experiment} shows its jobs)`);
  return reportRows(rows, reportsDir, experiment, `queue database, experiment '${experiment}'`, options.compareTo);
}

