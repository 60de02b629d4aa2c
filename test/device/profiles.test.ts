import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinProfileIds, DEVICE_MODELS_DIR, listProfiles, loadProfile, parseProfile, validateProfileFile, type DeviceProfileJson,
} from '../../src/device/index.js';

const SHIPPED = ['ecram', 'fefet', 'ideal', 'pcm-aihwkit', 'rram-cmo', 'rram-wan2022'];
const pcm = (): DeviceProfileJson => JSON.parse(readFileSync(join(DEVICE_MODELS_DIR, 'pcm-aihwkit.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'profiles-'));

describe('device profiles', () => {
  it('ships the six profiles, each valid, citing its sources and flagging every fitted value', () => {
    expect(builtinProfileIds()).toEqual(SHIPPED);
    for (const id of SHIPPED) {
      const r = validateProfileFile(id);
      expect(r.errors).toEqual([]);
      const m = loadProfile(id);
      expect(m.json.$schema).toBe('./schema/device-profile.schema.json');
      expect(m.sources.length).toBeGreaterThan(0);
      expect(m.provenance.length).toBeGreaterThan(0);
      for (const p of m.provenance) expect(typeof p.verified).toBe('boolean');
    }
    const list = listProfiles();
    expect(list.map((p) => p.id)).toEqual(SHIPPED);
    expect(list.find((p) => p.id === 'pcm-aihwkit')!.gMaxMicroSiemens).toBe(25);
    // placeholders are flagged; sourced values are verified
    const fefet = loadProfile('fefet').provenance;
    expect(fefet.filter((p) => p.source === 'placeholder').every((p) => !p.verified)).toBe(true);
    expect(fefet.find((p) => p.pointer === '/conductance/levels')).toMatchObject({ source: 'neurosim-v21', verified: true });
  });

  /** Pointers of the numeric leaves of a profile (numbers, and strings that start with a number such as "25 uS"), scales excepted. */
  function numericFields(json: unknown): string[] {
    const out: string[] = [];
    const walk = (v: unknown, p: string): void => {
      if (['/$schema', '/sources', '/notes', '/scales', '/provenance'].includes(p)) return;
      if (typeof v === 'number' || (typeof v === 'string' && /^[-+]?(\d|\.\d)[\d.eE+-]*\s*[a-zA-Zµμ%]*$/.test(v))) out.push(p);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${p}/${k}`);
    };
    walk(json, '');
    return out;
  }

  it.each(SHIPPED)('%s: every numeric field names its source (inline, through its law, or in the provenance map)', (id) => {
    const m = loadProfile(id);
    const covered = m.provenance.map((p) => p.pointer);
    const missing = numericFields(m.json).filter((f) => !covered.some((c) => f === c || f.startsWith(`${c}/`)));
    expect(missing).toEqual([]);
    for (const p of m.provenance) expect(m.sources.map((s) => s.id)).toContain(p.source);
  });

  it('checks the provenance map: pointers must name a field, sources must be listed', () => {
    const a = pcm();
    a.provenance = { '/conductance/levelz': { source: 'aihwkit-pcm', verified: true } };
    expect(() => parseProfile(a, 'prov.json')).toThrow(/prov\.json: \/provenance\/~1conductance~1levelz: '\/conductance\/levelz' names no field of this profile/);
    const b = pcm();
    b.provenance = { '/conductance/levels': { source: 'nobody', verified: true } };
    expect(() => parseProfile(b, 'prov.json')).toThrow(/prov\.json: \/provenance\/~1conductance~1levels\/source: 'nobody' is not the id of an entry in sources/);
  });

  it('rram-cmo reads with aihwkit\'s suggested w_noise = 0.01 in weight units, and documents its acceptance range', () => {
    const m = loadProfile('rram-cmo');
    // offset mapping: w = (g − g_ref)·2s/(1 − g_min/g_max), so σ_w/s = σ_g·2/(1 − g_min/g_max)
    expect(m.mapping).toBe('offset');
    expect(m.perMvm!.constant! * 2 / (1 - m.gMinNorm)).toBeCloseTo(0.01, 12);
    expect(m.json.programming.method === 'acceptance-range' && m.json.programming.range).toBe('2 %');
    expect(m.description).toMatch(/falls back to the smallest key and uses the 0\.2 % fit/);
    expect(m.provenance.find((p) => p.pointer === '/programming/range')).toMatchObject({ source: 'aihwkit-cmo', verified: true });
  });

  it('reports every schema violation at once, each with the file and JSON pointer', () => {
    const raw = pcm() as unknown as Record<string, unknown>;
    delete raw.name;
    (raw.conductance as Record<string, unknown>).colour = 'red';
    (raw.programming as Record<string, unknown>).method = 'telepathy';
    (raw.sources as unknown[]).push({ id: 'x' });
    expect(() => parseProfile(raw, 'bad.json')).toThrow(/invalid device profile \(\d+ errors\)/);
    try {
      parseProfile(raw, 'bad.json');
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toMatch(/bad\.json: \/: must have required property 'name'/);
      expect(m).toMatch(/bad\.json: \/conductance: must NOT have additional properties 'colour'/);
      expect(m).toMatch(/bad\.json: \/programming/);
      expect(m).toMatch(/bad\.json: \/sources\/3: must have required property 'title'/);
    }
  });

  it.each([
    ['g_min ≥ g_max', (j: DeviceProfileJson) => { j.conductance.gMin = '30 uS'; }, /\/conductance: g_min \(30 uS\) must be below g_max/],
    ['unknown unit', (j: DeviceProfileJson) => { j.conductance.gMax = '25 uX'; }, /\/conductance\/gMax: cannot read '25 uX'/],
    ['negative σ', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = '0.2 - 0.5*g'; }, /\/programming\/sigma: σ_prog is negative .* at g = /],
    ['NaN law', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = 'sqrt(g - 0.5)'; }, /σ_prog is NaN at g = 0/],
    ['unparsable expression', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = '0.2 +* g'; }, /\/programming\/sigma\/expr: expression '0\.2 \+\* g': does not parse/],
    ['forbidden function', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = 'evaluate(g)'; }, /function 'evaluate' is not allowed/],
    ['t in a law of g', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = 'g*t'; }, /t is not allowed in this law/],
    ['unknown source id', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { source: string } }).sigma.source = 'nobody'; }, /\/programming\/sigma\/source: 'nobody' is not the id of an entry in sources/],
    ['unknown family', (j: DeviceProfileJson) => { j.family = 'quantum'; }, /\/family: unknown device family 'quantum'; known families: pcm, rram, fefet, ecram, ideal/],
    ['drift model the family does not take', (j: DeviceProfileJson) => { j.drift = { model: 'spread-growth', total: { type: 'constant', value: 1, unit: 'uS', source: 'aihwkit-pcm', verified: true } }; }, /family 'pcm' takes drift model 'power-law' or 'none'/],
    ['fault fraction > 1', (j: DeviceProfileJson) => { j.faults = { stuckLow: '150 %' }; }, /\/faults\/stuckLow: a fraction of devices must lie in \[0, 1\]/],
    ['gMax 1e308 S', (j: DeviceProfileJson) => { j.conductance.gMax = '1e308 S'; }, /\/conductance\/gMax: "1e308 S" is outside the plausible range 1 pS … 100 mS for gMax/],
    ['gMax 1e400 S', (j: DeviceProfileJson) => { j.conductance.gMax = '1e400 S'; }, /\/conductance\/gMax: .*(not finite|cannot read)/],
    ['g_min above g_max, both with provenance', (j: DeviceProfileJson) => {
      j.conductance.gMin = { value: '30 uS', source: 'aihwkit-pcm', verified: false };
      j.conductance.gMax = { value: '25 uS', source: 'aihwkit-pcm', verified: false };
    }, /\/conductance: g_min \(30 uS\) must be below g_max \(25 uS\)$/],
    ['a pulse energy of 1 J', (j: DeviceProfileJson) => { j.energy = { programPulseEnergy: '1 J' }; }, /\/energy\/programPulseEnergy: "1 J" is outside the plausible range 0 J … 1 µJ/],
    ['a read time of an hour', (j: DeviceProfileJson) => { j.energy = { readTime: '1 h' }; }, /\/energy\/readTime: "1 h" is outside the plausible range/],
    ['drift t0 of 0 s', (j: DeviceProfileJson) => { (j.drift as { t0: string }).t0 = '0 s'; }, /\/drift\/t0: "0 s" is outside the plausible range 1 ns … 1 year/],
    ['a billion pulses per device', (j: DeviceProfileJson) => { (j.programming as { pulses?: number }).pulses = 1e9; }, /\/programming\/pulses: 1000000000 is outside the plausible range/],
    ['a σ law of 10⁹ g_max', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = '1e9 * (g + 1)'; },
      /\/programming\/sigma: σ_prog is 4\.000e\+7 at g = 0 .* beyond ±1000; check the law's unit and formula/],
    ['an exponent of 1e9', (j: DeviceProfileJson) => { (j.programming as unknown as { sigma: { expr: string } }).sigma.expr = 'g^1e9'; },
      /\/programming\/sigma\/expr: expression 'g\^1e9': the exponent 1e\+9 .* exceeds the limit of ±1000/],
    ['a ν law that is infinite at t-independent g = 0', (j: DeviceProfileJson) => { (j.drift as unknown as { nuMean: { expr: string } }).nuMean.expr = '0.05 / g'; },
      /\/drift\/nuMean: ν mean is Infinity at g = 0;/],
  ])('rejects a profile with %s, naming file and pointer', (_what, edit, message) => {
    const j = pcm();
    edit(j);
    expect(() => parseProfile(j, 'edited.json')).toThrow(message);
    expect(() => parseProfile(j, 'edited.json')).toThrow(/edited\.json/);
  });

  it('bounds write-verify loops: maxIterations ≤ 10000 and a tolerance ≤ 100 %', () => {
    const ecram = (): DeviceProfileJson => JSON.parse(readFileSync(new URL('../crossbar/fixtures/ecram-write-verify.json', import.meta.url), 'utf8'));
    const a = ecram();
    (a.programming as { maxIterations: number }).maxIterations = 1e9;
    expect(() => parseProfile(a, 'wv.json')).toThrow(/wv\.json: \/programming\/maxIterations: must be <= 10000/);
    const b = ecram();
    (b.programming as { tolerance: { value: string } }).tolerance.value = '150 %';
    expect(() => parseProfile(b, 'wv.json')).toThrow(/wv\.json: \/programming\/tolerance\/value: tolerance 150 % is above 100 %/);
  });

  it('validates a file on disk and rejects an unknown id with the shipped list', () => {
    const j = pcm();
    j.conductance.gMin = '30 uS';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(j));
    const r = validateProfileFile(file);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/broken\.json: \/conductance: g_min/);
    writeFileSync(join(dir, 'notjson.json'), '{');
    expect(validateProfileFile(join(dir, 'notjson.json')).errors.join('\n')).toMatch(/not valid JSON/);
    expect(() => loadProfile('pcm-unknown')).toThrow(/device profile 'pcm-unknown' not found; shipped profiles: ecram, fefet, ideal, pcm-aihwkit, rram-cmo, rram-wan2022/);
  });

  it('applies scale knobs multiplicatively on top of the profile', () => {
    const m = loadProfile('pcm-aihwkit', { scales: { drift: 0, readNoise: 0.5 } });
    expect(m.scales).toEqual({ programming: 1, variation: 1, drift: 0, readNoise: 0.5 });
    expect(m.withScales({ programming: 2 }).scales.programming).toBe(2);
    expect(m.scales.programming).toBe(1);
  });
});
