/**
 * The E2E NLG Challenge data (Novikova et al., 2017) from a local folder, as its official evaluation
 * reads it (e2e-metrics, measure_scores.py):
 *
 *   files      trainset.csv, devset.csv, testset_w_refs.csv — CSV (csv.ts) with columns `mr`, `ref`
 *              (matched case-insensitively); testset.csv (column `mr` only) when the references are absent
 *   grouping   consecutive records with the same MR form one item with several references (the
 *              official `read_and_group_tsv`); an MR that reappears later starts a new item
 *   MR         "name[The Eagle], eatType[coffee shop], near[Burger King]" → slots in order
 *
 * Errors name the file, the line and the fix. Nothing is downloaded: point `dataDir` at the folder
 * of the challenge's release (e2e-dataset).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from './csv.js';

export interface MrSlot {
  slot: string;
  value: string;
}

export interface E2EItem {
  /** The meaning representation as written in the file. */
  mr: string;
  slots: MrSlot[];
  /** Human references (empty for testset.csv without references). */
  refs: string[];
  /** `file:line` of the item's first record. */
  source: string;
}

export interface E2EData {
  train: E2EItem[];
  validation: E2EItem[];
  test: E2EItem[];
}

export const E2E_FILES = { train: 'trainset.csv', validation: 'devset.csv', test: 'testset_w_refs.csv', testMrOnly: 'testset.csv' } as const;

/** Parses "slot[value], slot[value]" into slots; `where` names the record in errors. */
export function parseMr(mr: string, where: string): MrSlot[] {
  const slots: MrSlot[] = [];
  const pair = /\s*([^[\],]+?)\s*\[([^\]]*)\]\s*/y;
  const bad = (at: number, what: string) => new Error(`${where}: MR '${mr}' is not a list of slot[value] pairs separated by commas (${what} at character ${at + 1})`);
  let pos = 0;
  while (pos < mr.length) {
    pair.lastIndex = pos;
    const m = pair.exec(mr);
    if (!m) throw bad(pos, 'expected slot[value]');
    slots.push({ slot: m[1], value: m[2].trim() });
    pos = pair.lastIndex;
    if (pos < mr.length && mr[pos] !== ',') throw bad(pos, 'expected a comma');
    pos++;
  }
  if (slots.length === 0) throw new Error(`${where}: empty MR; each row needs slot[value] pairs`);
  return slots;
}

/** One E2E CSV file as grouped items. With `withRefs` false, only the `mr` column is read. */
export function readE2ECsv(path: string, withRefs = true): E2EItem[] {
  const file = readCsv(path);
  const lower = file.header.map((h) => h.toLowerCase());
  const mrCol = lower.indexOf('mr');
  const refCol = lower.indexOf('ref');
  if (mrCol < 0 || (withRefs && refCol < 0)) {
    throw new Error(`${path}: not an E2E file: expected columns ${withRefs ? "'mr' and 'ref'" : "'mr'"}, found ${file.header.join(', ')}`);
  }
  const items: E2EItem[] = [];
  for (const r of file.records) {
    const where = `${path}:${r.line}`;
    const mr = r.fields[mrCol].trim();
    if (mr === '') throw new Error(`${where}: empty mr field`);
    const ref = withRefs ? r.fields[refCol].trim() : null;
    if (ref === '') throw new Error(`${where}: empty ref field; every record needs a reference text`);
    const last = items[items.length - 1];
    if (last && last.mr === mr) {
      if (ref !== null) last.refs.push(ref);
      continue;
    }
    items.push({ mr, slots: parseMr(mr, where), refs: ref === null ? [] : [ref], source: where });
  }
  if (items.length === 0) throw new Error(`${path}: no records after the header`);
  return items;
}

/** The three splits from `dataDir` (test from testset_w_refs.csv, else MR-only testset.csv). */
export function loadE2E(dataDir: string): E2EData {
  if (!existsSync(dataDir)) throw new Error(`E2E: folder ${dataDir} not found; point dataDir at the e2e-dataset release (${Object.values(E2E_FILES).join(', ')})`);
  const need = (name: string) => {
    const p = join(dataDir, name);
    if (!existsSync(p)) throw new Error(`E2E: ${p} not found; the folder needs ${E2E_FILES.train}, ${E2E_FILES.validation} and ${E2E_FILES.test} (or ${E2E_FILES.testMrOnly})`);
    return p;
  };
  const withRefs = existsSync(join(dataDir, E2E_FILES.test));
  return {
    train: readE2ECsv(need(E2E_FILES.train)),
    validation: readE2ECsv(need(E2E_FILES.validation)),
    test: readE2ECsv(need(withRefs ? E2E_FILES.test : E2E_FILES.testMrOnly), withRefs),
  };
}
