/** A word-hash tokenizer and a small synthetic task for trainer tests. */
import type { Example, Task, TaskInput, TextTokenizer } from '../../src/data/index.js';
import { hash32, Rng } from '../../src/tensor/index.js';

/** <s>=0, <pad>=1, </s>=2; words hash into 3..vocab-1. */
export function hashTokenizer(vocab = 50): TextTokenizer {
  const ids = (t: string) => t.split(/\s+/).filter(Boolean).map((w) => 3 + (hash32(w) % (vocab - 3)));
  return {
    padId: 1,
    encodeBatch(inputs: ReadonlyArray<TaskInput>, options = {}) {
      const max = options.maxLength ?? 512;
      const rows = inputs.map((x) => {
        const body = typeof x === 'string' ? ids(x) : [...ids(x[0]), 2, ...ids(x[1])];
        return [0, ...body.slice(0, max - 2), 2];
      });
      return { inputIds: rows, attentionMask: rows.map((r) => r.map(() => 1)), tokenTypeIds: rows.map((r) => r.map(() => 0)) };
    },
  };
}

const GOOD = ['great', 'fine', 'lovely', 'superb', 'nice'];
const BAD = ['awful', 'poor', 'dreadful', 'bad', 'grim'];
const FILL = ['the', 'a', 'movie', 'was', 'plot', 'and', 'it', 'very', 'actor', 'story'];

/** Sentiment-like sentences: the label is whether a GOOD or BAD word appears. */
export function toyExamples(n: number, seed: number): Example[] {
  const rng = new Rng(seed, 'toy');
  return Array.from({ length: n }, () => {
    const label = rng.int(2);
    const words = Array.from({ length: 1 + rng.int(3) }, () => FILL[rng.int(FILL.length)]);
    words.splice(rng.int(words.length), 0, (label ? GOOD : BAD)[rng.int(5)]);
    return { input: words.join(' '), label };
  });
}

export function toyTask(overrides: Partial<Task> = {}): Task {
  return {
    id: 'toy', description: 'toy sentiment', kind: 'classification', labels: ['neg', 'pos'], metrics: ['accuracy', 'f1'],
    primaryMetric: 'accuracy', evalSplits: ['validation'], needsDataDir: false,
    load: () => ({ train: toyExamples(96, 1), evaluation: { validation: toyExamples(48, 2) } }),
    ...overrides,
  };
}
