/**
 * GLUE-style TSV reading: tab-separated, no quoting (GLUE's files are read with csv.QUOTE_NONE, so
 * quote characters are literal), one record per line, optional header.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface TsvFile {
  path: string;
  /** Header fields, or null for headerless files (CoLA train/dev). */
  header: string[] | null;
  /** 1-based line of the header (0 without one). */
  headerLine: number;
  /** Data rows with their 1-based line numbers. */
  rows: { line: number; fields: string[] }[];
}

export function readTsv(path: string, hasHeader: boolean): TsvFile {
  if (!existsSync(path)) throw new Error(`${path}: file not found`);
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const rows: TsvFile['rows'] = [];
  let header: string[] | null = null;
  let headerLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    const fields = line.split('\t');
    if (hasHeader && header === null) {
      header = fields.map((f) => f.trim());
      headerLine = i + 1;
    }
    else rows.push({ line: i + 1, fields });
  }
  if (hasHeader && header === null) throw new Error(`${path}: empty file (expected a header line)`);
  return { path, header, headerLine, rows };
}

/** Column indices of `names` in the header; a missing name is an error listing what is there. */
export function columnsOf(file: TsvFile, names: readonly string[], task: string): number[] {
  const header = file.header;
  if (!header) throw new Error(`${file.path}: no header`);
  const missing = names.filter((n) => !header.includes(n));
  if (missing.length) {
    throw new Error(
      `${file.path}:${file.headerLine}: not a GLUE ${task} file: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; ` +
        `expected ${names.join(', ')}; found ${header.join(', ')}`,
    );
  }
  return names.map((n) => header.lastIndexOf(n));
}
