/** E2E CSV loading: RFC 4180 quoting, grouping of references per MR as the official evaluation does, and errors naming the line. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadE2E, parseCsv, parseMr, readE2ECsv } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'e2e-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRAIN = [
  '\uFEFFmr,ref',
  '"name[The Vaults], eatType[pub], priceRange[more than £30], near[Café Adriatic]","The Vaults pub near Café Adriatic has a 5 star rating.  Prices start at £30."',
  '"name[The Vaults], eatType[pub], priceRange[more than £30], near[Café Adriatic]","Near Café Adriatic, The Vaults is a ""pub"" for over £30."',
  '"name[Zizzi], area[city centre]",Zizzi is in the city centre.',
  '"name[The Vaults], eatType[pub], priceRange[more than £30], near[Café Adriatic]","A second, later group:',
  'it spans two lines."',
  '',
].join('\r\n');

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('E2E data', () => {
  it('reads quoted fields and groups consecutive identical MRs into one item', () => {
    const items = readE2ECsv(write('trainset.csv', TRAIN));
    expect(items.map((i) => i.refs.length)).toEqual([2, 1, 1]);
    expect(items[0].refs[1]).toBe('Near Café Adriatic, The Vaults is a "pub" for over £30.');
    expect(items[0].slots).toEqual([
      { slot: 'name', value: 'The Vaults' }, { slot: 'eatType', value: 'pub' },
      { slot: 'priceRange', value: 'more than £30' }, { slot: 'near', value: 'Café Adriatic' },
    ]);
    expect(items[2].refs[0]).toBe('A second, later group:\r\nit spans two lines.');
    expect(items[2].source).toMatch(/trainset\.csv:5$/);
  });

  it('loads the three splits from a folder; MR-only test set when the references are absent', () => {
    const d = join(dir, 'release');
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(join(d, 'trainset.csv'), TRAIN);
    writeFileSync(join(d, 'devset.csv'), 'mr,ref\n"name[Zizzi], area[city centre]",Zizzi is central.\n');
    writeFileSync(join(d, 'testset.csv'), 'MR\n"name[Zizzi], area[riverside]"\n"name[Zizzi], area[riverside]"\n');
    const data = loadE2E(d);
    expect([data.train.length, data.validation.length, data.test.length]).toEqual([3, 1, 1]);
    expect(data.test[0].refs).toEqual([]);
    expect(() => loadE2E(join(dir, 'missing'))).toThrow(/folder .*missing not found; point dataDir at the e2e-dataset release/);
  });

  it('names the file and line of malformed CSV and MRs', () => {
    expect(() => parseCsv('mr,ref\n"a[b]","unclosed\n', 'x.csv')).toThrow(/x\.csv: line 2: quoted field never closed/);
    expect(() => parseCsv('mr,ref\n"a[b]"x,y\n', 'x.csv')).toThrow(/x\.csv: line 2: text after the closing quote/);
    expect(() => parseCsv('mr,ref\na[b],say "hi"\n', 'x.csv')).toThrow(/x\.csv: line 2: a quote inside an unquoted field/);
    const bad = write('bad.csv', 'mr,ref\n"name[A]",fine\nname[B], area[x],text\n');
    expect(() => readE2ECsv(bad)).toThrow(/bad\.csv: line 3: 3 fields, the header has 2 \(mr, ref\); quote fields that contain commas/);
    expect(() => readE2ECsv(write('cols.csv', 'meaning,text\na,b\n'))).toThrow(/not an E2E file: expected columns 'mr' and 'ref', found meaning, text/);
    expect(() => readE2ECsv(write('mr.csv', 'mr,ref\n"name[A], area",t\n'))).toThrow(/mr\.csv:2: MR 'name\[A\], area' is not a list of slot\[value\] pairs/);
    expect(() => parseMr('name[A] eatType[pub]', 'here')).toThrow(/here: MR .*expected a comma at character 9/);
  });
});
