/**
 * Result store: reports/<experiment>/results.jsonl, one JSON row per line, append-only.
 *
 * Crash safety: each row is appended with a single write of one complete line followed by fsync,
 * so a crash leaves at most one partial last line. On open, a partial or corrupted last line is
 * moved aside to results.jsonl.corrupt-<time> (kept, never deleted) and the file is truncated to its
 * last complete row; the caller is told. A corrupted line in the middle is an error naming its line
 * number — rows are never dropped silently.
 *
 * Rows are never deleted: `archive` moves rows (stale ones, or with --prune those no longer in the
 * plan) to a dated archive file beside results.jsonl — appended and fsynced there first, then
 * results.jsonl is rewritten without them through a temporary file and a rename, so a crash in
 * between leaves a row in both files, never in neither.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResultRow } from './row.js';

export interface OpenedStore {
  store: ResultStore;
  /** Human-readable notes about recovery (empty when the file was clean). */
  recovered: string[];
}

export class ResultStore {
  private readonly keys = new Map<string, ResultRow>();
  private rowsRead: ResultRow[] = [];

  private constructor(readonly path: string) {}

  /** Opens (creating the folder if needed), validates every line, recovers a corrupted last line. */
  static open(path: string): OpenedStore {
    const store = new ResultStore(path);
    const recovered = store.load();
    return { store, recovered };
  }

  /** Reads rows without recovering anything (for reports): a corrupted last line is skipped and reported. */
  static read(path: string): { rows: ResultRow[]; warnings: string[] } {
    if (!existsSync(path)) throw new Error(`${path}: no results file (run the experiment first: grasp-hil run <experiment.json>)`);
    const { rows, badTail } = parseLines(path, readFileSync(path, 'utf8'));
    return { rows, warnings: badTail ? [`${path}: ignored an incomplete last line (${badTail.length} bytes)`] : [] };
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  rows(): readonly ResultRow[] {
    return this.rowsRead;
  }

  /** The stored row's inputsHash ('' for a row written before rows had one), or undefined when the key is not stored. */
  inputsOf(key: string): string | undefined {
    const r = this.keys.get(key);
    return r === undefined ? undefined : (r.inputsHash ?? '');
  }

  /** Moves the rows with these keys to `archivePath` (appended), then rewrites the store without them. */
  archive(keys: ReadonlySet<string>, archivePath: string): number {
    const moved = this.rowsRead.filter((r) => keys.has(r.key));
    if (moved.length === 0) return 0;
    const fd = openSync(archivePath, 'a');
    try {
      writeSync(fd, moved.map((r) => `${JSON.stringify(r)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const kept = this.rowsRead.filter((r) => !keys.has(r.key));
    const tmp = `${this.path}.tmp-${process.pid}`;
    const out = openSync(tmp, 'w');
    try {
      writeSync(out, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, this.path);
    for (const r of moved) this.keys.delete(r.key);
    this.rowsRead = kept;
    return moved.length;
  }

  /** Appends one row durably. Throws if its key is already stored (a rerun must skip it). */
  append(row: ResultRow): void {
    if (this.keys.has(row.key)) throw new Error(`${this.path}: row '${row.key}' is already stored`);
    const line = `${JSON.stringify(row)}\n`;
    if (line.indexOf('\n') !== line.length - 1) throw new Error(`row '${row.key}' serialised to more than one line`);
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.keys.set(row.key, row);
    this.rowsRead.push(row);
  }

  private load(): string[] {
    mkdirSync(dirname(this.path), { recursive: true });
    if (!existsSync(this.path)) {
      writeFileSync(this.path, '');
      return [];
    }
    const text = readFileSync(this.path, 'utf8');
    const { rows, badTail, goodBytes } = parseLines(this.path, text);
    const notes: string[] = [];
    if (badTail) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      appendFileSync(aside, badTail);
      truncateSync(this.path, goodBytes);
      notes.push(`${this.path}: the last line was incomplete or corrupted (a run was interrupted); kept ${rows.length} complete rows, moved the ${Buffer.byteLength(badTail)} bytes aside to ${aside}`);
    }
    for (const r of rows) {
      if (this.keys.has(r.key)) throw new Error(`${this.path}: row key '${r.key}' appears twice`);
      this.keys.set(r.key, r);
      this.rowsRead.push(r);
    }
    return notes;
  }
}

function parseLines(path: string, text: string): { rows: ResultRow[]; badTail: string | null; goodBytes: number } {
  const rows: ResultRow[] = [];
  let offset = 0;
  let lineNo = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(offset, end);
    lineNo++;
    const isLast = nl === -1 || text.slice(nl + 1).trim() === '';
    let row: ResultRow | null = null;
    try {
      const parsed = JSON.parse(line) as ResultRow;
      if (parsed && typeof parsed === 'object' && typeof parsed.key === 'string' && typeof parsed.kind === 'string') row = parsed;
    } catch {
      row = null;
    }
    if (row === null || nl === -1) {
      if (line.trim() === '' && !isLast) throw new Error(`${path}: line ${lineNo} is empty; every line must be one result row`);
      if (line.trim() === '') break;
      if (!isLast) throw new Error(`${path}: line ${lineNo} is not a valid result row (corrupted in the middle of the file; fix or remove that line)`);
      return { rows, badTail: text.slice(offset), goodBytes: Buffer.byteLength(text.slice(0, offset)) };
    }
    rows.push(row);
    offset = end + 1;
  }
  return { rows, badTail: null, goodBytes: Buffer.byteLength(text) };
}
