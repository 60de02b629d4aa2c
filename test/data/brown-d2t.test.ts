import { describe, expect, it } from 'vitest';
import { getAnyTask, getTask, isGenerationTask, mrOf, parseMr, passageSlots, REFERENCE_TEMPLATES, taggedPassages } from '../../src/data/index.js';

describe('built-in data-to-text task brown-d2t', () => {
  const task = getAnyTask('brown-d2t');
  const data = task.load();
  const splits = { train: data.train, ...data.evaluation };

  it('is a generation task with the five NLG metrics; getTask refuses it and names where it runs', () => {
    expect(isGenerationTask(task)).toBe(true);
    expect(task.metrics).toEqual(['BLEU', 'NIST', 'METEOR', 'ROUGE_L', 'CIDEr']);
    expect(() => getTask('brown-d2t')).toThrow(/generation task .*grasp-hil run/);
  });

  it('splits by document: fixed sizes, no document in two splits, every MR parses with three references', () => {
    expect([data.train.length, data.evaluation.validation.length, data.evaluation.test.length]).toEqual([13409, 1811, 3706]);
    const docs = Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, new Set(v.map((e) => e.source!.split('#')[0]))]));
    for (const d of docs.train) expect(docs.validation.has(d) || docs.test.has(d)).toBe(false);
    for (const d of docs.validation) expect(docs.test.has(d)).toBe(false);
    const missing: string[] = [];
    for (const split of Object.values(splits)) {
      for (const e of split) {
        const slots = parseMr(e.input as string, e.source!);
        if (e.references?.length !== 3) missing.push(`${e.source}: ${e.references?.length} references`);
        // every slot value is realised in every reference (lower-cased: template 3 capitalises the genre)
        for (const s of slots) for (const r of e.references ?? []) if (!r.toLowerCase().includes(s.value.toLowerCase())) missing.push(`${e.source}: ${s.slot} in '${r}'`);
      }
    }
    expect(missing.slice(0, 5)).toEqual([]);
  });

  it('follows the documented recipe on the first passage of ca01', () => {
    const first = data.train.find((e) => e.source === 'ca01#0')!;
    expect(first.input).toBe('genre[news], topic[election], name[Fulton], action[said], length[medium-length]');
    expect(first.references).toEqual([
      'This is a medium-length news passage about election, mentioning Fulton, in which someone said.',
      'Fulton appears in a medium-length piece of news writing whose main topic is election and whose most common past-tense verb is said.',
      'News, medium-length: the subject is election and Fulton is named; the verb said recurs.',
    ]);
  });

  it('slots: most frequent noun and past-tense verb (ties → first), proper-noun runs ≤ 3, optional slots left out', () => {
    const text = '\tThe/at old/jj dog/nn saw/vbd Mr./np John/np Q./np Smith/np ./.\n\tThe/at cat/nn saw/vbd a/at dog/nn and/cc ran/vbd ./.\n';
    const [p] = taggedPassages(`${text}${text}${text}`);
    const s = passageSlots(p, 'science_fiction')!;
    expect(s).toEqual({ genre: 'science-fiction', topic: 'dog', name: 'Mr. John Q.', action: 'saw', length: 'short' });
    const bare = passageSlots(taggedPassages('\tThe/at cat/nn ran/vb home/nr ./.\n'.repeat(12))[0], 'news')!;
    expect(mrOf(bare)).toBe('genre[news], topic[cat], length[short]');
    expect(REFERENCE_TEMPLATES.map((t) => t(bare))).toEqual([
      'This is a short news passage about cat.',
      'A short piece of news writing whose main topic is cat.',
      'News, short: the subject is cat.',
    ]);
    expect(() => passageSlots(p, 'poetry')).toThrow(/unknown category 'poetry'/);
  });
});
