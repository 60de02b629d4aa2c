/**
 * RFC 4180 CSV reading: comma-separated fields, fields optionally in double quotes, "" inside quotes
 * is a literal quote, quoted fields may contain commas and line breaks; CRLF or LF line ends; a
 * leading BOM is dropped. Malformed input — a quote inside an unquoted field, text after a closing
 * quote, a quote left open at the end of the file, a record with the wrong number of fields — is an
 * error naming the file, the record's line and what to fix.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export interface CsvFile {
  path: string;
  header: string[];
  records: CsvRecord[];
}

/** Parses CSV text into records (the header is the first record). `path` names the source in errors. */
export function parseCsv(text: string, path: string): CsvRecord[] {
  const s = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  while (i < s.length) {
    const c = s[i];
    if (atFieldStart && c === '"') {
      const open = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new Error(`${path}: line ${open}: quoted field never closed; add the closing " (quotes inside a field are written "")`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (s[i] === '\n') line++;
        field += s[i++];
      }
      atFieldStart = false;
      if (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
        throw new Error(`${path}: line ${line}: text after the closing quote of a field; quote the whole field and write inner quotes as ""`);
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (c === '\r' && s[i + 1] === '\n') {
      i++;
    } else if (c === '\n') {
      endRecord();
      line++;
      start = line;
      i++;
    } else {
      if (c === '"') throw new Error(`${path}: line ${line}: a quote inside an unquoted field; quote the field and write the quote as ""`);
      field += c;
      atFieldStart = false;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Reads a CSV file with a header; every record must have the header's number of fields. */
export function readCsv(path: string): CsvFile {
  if (!existsSync(path)) throw new Error(`${path}: file not found`);
  const records = parseCsv(readFileSync(path, 'utf8'), path);
  if (records.length === 0) throw new Error(`${path}: empty file (expected a header line)`);
  const [head, ...rest] = records;
  for (const r of rest) {
    if (r.fields.length !== head.fields.length) {
      throw new Error(`${path}: line ${r.line}: ${r.fields.length} fields, the header has ${head.fields.length} (${head.fields.join(', ')}); quote fields that contain commas`);
    }
  }
  return { path, header: head.fields.map((f) => f.trim()), records: rest };
}
