/**
 * The learned DAC input ranges of an adapter (input-range.ts), saved as `input_ranges.json` in the
 * adapter's folder beside `adapter_config.json` and `adapter_model.safetensors`. A separate file
 * keeps the adapter a plain PEFT adapter (PEFT ignores unknown files; its config and tensors, and the
 * base-weights hash, are unchanged).
 *
 *   { "format": 1, "rule": "aihwkit InputRangeParameter (grasp-hil training.hwa.inputRange)",
 *     "units": "Site input units", "ranges": { "<Site name>": r, ... } }
 *
 * Reading checks every field and names the file and the JSON pointer of what is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonText, writeFileAtomic } from '../io/index.js';

export const INPUT_RANGES_FILE = 'input_ranges.json';
const FORMAT = 1;

/** Writes `ranges` (Site name → r) to `<dir>/input_ranges.json`. */
export async function saveInputRanges(dir: string, ranges: Readonly<Record<string, number>>): Promise<void> {
  const body = { format: FORMAT, rule: 'aihwkit InputRangeParameter (grasp-hil training.hwa.inputRange)', units: 'Site input units', ranges };
  await writeFileAtomic(join(dir, INPUT_RANGES_FILE), `${JSON.stringify(body, null, 2)}\n`);
}

/** The learned ranges saved in `dir`, or null when the folder has no input_ranges.json. */
export function loadInputRanges(dir: string): Map<string, number> | null {
  const file = join(dir, INPUT_RANGES_FILE);
  if (!existsSync(file)) return null;
  const data = parseJsonText(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
  const bad = (pointer: string, expected: string, got: unknown): never => {
    throw new Error(`${file}: ${pointer}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) bad('', 'an object', data);
  if (data.format !== FORMAT) bad('/format', `${FORMAT}`, data.format);
  const ranges = data.ranges as Record<string, unknown>;
  if (ranges === null || typeof ranges !== 'object' || Array.isArray(ranges)) bad('/ranges', 'an object of Site name → range', ranges);
  const out = new Map<string, number>();
  for (const [site, r] of Object.entries(ranges)) {
    if (!(typeof r === 'number' && Number.isFinite(r) && r > 0)) bad(`/ranges/${site.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'a finite number > 0 (input units)', r);
    out.set(site, r as number);
  }
  return out;
}
