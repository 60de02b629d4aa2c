import { describe, expect, it } from 'vitest';
import { BROWN_GENRES, chunkDocument, getTask, messageText, seededSubset } from '../../src/data/index.js';

describe('built-in corpus tasks', () => {
  it('Brown genre: 4 coarse genres, ~48-word chunks, no document in two splits', () => {
    const task = getTask('brown-genre');
    const data = task.load();
    const splits = { train: data.train, ...data.evaluation };
    const docs = Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, new Set(v.map((e) => e.source))]));
    for (const d of docs.train) expect(docs.validation.has(d) || docs.test.has(d)).toBe(false);
    for (const d of docs.validation) expect(docs.test.has(d)).toBe(false);
    expect(docs.train.size + docs.validation.size + docs.test.size).toBe(500);
    expect(docs.validation.size).toBe(48); // ⌊n/10⌋-ish per genre: 8 + 17 + 11 + 12
    expect(docs.test.size).toBe(99);
    for (const split of Object.values(splits)) {
      const labels = new Set(split.map((e) => e.label));
      expect(labels.size).toBe(BROWN_GENRES.length);
    }
    expect(data.train.length).toBeGreaterThan(10000);
    const words = data.train.slice(0, 200).map((e) => (e.input as string).split(' ').length);
    expect(Math.min(...words)).toBeGreaterThanOrEqual(20);
    expect(data.train[0].input).not.toMatch(/\/[a-z]+\b.*\/[a-z]+\b/); // tags stripped
    expect(chunkDocument('\tThe/at cat/nn sat/vbd ./.\n')).toEqual([]);
  });

  it('seededSubset: a fixed subset that keeps every genre of the label-ordered Brown split', () => {
    const train = getTask('brown-genre').load().train;
    expect(new Set(train.slice(0, 256).map((e) => e.label)).size).toBe(1); // the split is ordered by genre
    const a = seededSubset(train, 256, 'brown-genre/train');
    const b = seededSubset(train, 256, 'brown-genre/train');
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(256);
    expect(new Set(a.map((e) => e.label)).size).toBe(BROWN_GENRES.length);
    expect(seededSubset(train, 256, 'other')).not.toEqual(a);
    expect(seededSubset(train, undefined, 'x')).toEqual(train);
    expect(seededSubset(train, train.length + 5, 'x')).toEqual(train);
  });

  it('SpamAssassin: headers stripped except Subject, fixed split without duplicates', () => {
    const data = getTask('spam').load();
    const all = [...data.train, ...data.evaluation.validation, ...data.evaluation.test];
    expect(all.length).toBeGreaterThan(5000);
    expect(all.length).toBeLessThanOrEqual(6046);
    const ids = new Set(all.map((e) => e.source));
    expect(ids.size).toBe(all.length);
    const spamShare = all.filter((e) => e.label === 1).length / all.length;
    expect(spamShare).toBeGreaterThan(0.2);
    expect(spamShare).toBeLessThan(0.4);
    expect(data.evaluation.test.length / all.length).toBeCloseTo(0.2, 1);
    for (const e of all.slice(0, 300)) expect(e.input).not.toMatch(/Return-Path:|Received: from|taint\.org|[\w.]+@[\w-]+\.[a-z]{2,}/i);
    const text = messageText('From: a@b.c\nSubject: Cheap pills\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n<p>Buy=20now &amp; save</p>=\n!');
    expect(text).toBe('Cheap pills Buy now & save !');
  });
});
