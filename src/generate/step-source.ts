/**
 * Next-token logits for a set of rows that grow one token per step: the model side of generation.
 *
 *   cached    (default) prompt forward once, then one token per row per step against the key/value
 *             cache (Decoder.forwardCached); beam re-ranking gathers cache rows. Step cost O(length).
 *   recompute every step runs the full forward over every row (Decoder.forward): step cost O(length²)
 *             in attention and O(length) in the linear layers; kept as the reference and for benchmarks.
 *
 * Position ids and masks follow `transformers`' GPT-2 generation: left padding has mask 0 and
 * position 1, real tokens count 0, 1, 2, … from the first non-padding token.
 * Every step runs inside tf.tidy; the only tensors alive between steps are the cache's.
 */
import type { Decoder, KvCache, ModelInputs } from '../model/index.js';
import { tf } from '../tensor/index.js';
import type { OutputProjection } from './projection.js';

export interface StepSource {
  readonly vocab: number;
  /** Logits at the last position of each (left-padded) row: [rows·vocab]. */
  start(rows: number[][], mask: number[][]): Float32Array;
  /** Row r continues row parents[r] (default r) with tokens[r]; returns the new last-position logits. */
  advance(tokens: ArrayLike<number>, parents?: ArrayLike<number>): Float32Array;
  dispose(): void;
}

function positionsOf(mask: number[][]): number[][] {
  return mask.map((m) => {
    let seen = 0;
    return m.map((v) => (v ? seen++ : 1));
  });
}

function pick<T>(items: T[], parents: ArrayLike<number> | undefined): T[] {
  if (!parents) return items;
  return Array.from(parents, (p) => {
    if (!Number.isInteger(p) || p < 0 || p >= items.length) throw new Error(`step source: parent row ${p} outside 0..${items.length - 1}`);
    return items[p];
  });
}

class CachedSource implements StepSource {
  private cache: KvCache | null = null;
  private mask: number[][] = [];
  private nextPos: number[] = [];

  constructor(private readonly model: Decoder, private readonly head: OutputProjection) {}

  get vocab(): number {
    return this.model.config.vocabSize;
  }

  start(rows: number[][], mask: number[][]): Float32Array {
    this.dispose();
    const pos = positionsOf(mask);
    this.mask = mask.map((m) => [...m]);
    this.nextPos = mask.map((m) => m.reduce((a, b) => a + b, 0));
    return this.run(rows, pos.flat());
  }

  advance(tokens: ArrayLike<number>, parents?: ArrayLike<number>): Float32Array {
    if (!this.cache) throw new Error('step source: advance() before start()');
    if (parents) {
      const old = this.cache;
      this.cache = old.select(parents);
      old.dispose();
      this.mask = pick(this.mask, parents).map((m) => [...m]);
      this.nextPos = pick(this.nextPos, parents);
    }
    const positions = this.nextPos.slice();
    for (const m of this.mask) m.push(1);
    this.nextPos = this.nextPos.map((p) => p + 1);
    return this.run(Array.from(tokens, (t) => [t]), positions);
  }

  private run(ids: number[][], positions: number[]): Float32Array {
    const inputIds = tf.tensor2d(ids, [ids.length, ids[0].length], 'int32');
    try {
      const { hidden, cache } = this.model.forwardCached(
        { inputIds, positions: Int32Array.from(positions), keyMask: Float32Array.from(this.mask.flat()) }, this.cache);
      this.cache?.dispose();
      this.cache = cache;
      try {
        return this.head.lastLogits(hidden);
      } finally {
        hidden.dispose();
      }
    } finally {
      inputIds.dispose();
    }
  }

  dispose(): void {
    this.cache?.dispose();
    this.cache = null;
  }
}

class RecomputeSource implements StepSource {
  private rows: number[][] = [];
  private mask: number[][] = [];

  constructor(private readonly model: Decoder, private readonly head: OutputProjection) {}

  get vocab(): number {
    return this.model.config.vocabSize;
  }

  start(rows: number[][], mask: number[][]): Float32Array {
    this.rows = rows.map((r) => [...r]);
    this.mask = mask.map((m) => [...m]);
    return this.run();
  }

  advance(tokens: ArrayLike<number>, parents?: ArrayLike<number>): Float32Array {
    this.rows = pick(this.rows, parents).map((r, i) => [...r, tokens[i]]);
    this.mask = pick(this.mask, parents).map((m) => [...m, 1]);
    return this.run();
  }

  private run(): Float32Array {
    const n = this.rows.length, len = this.rows[0].length;
    const inputs: ModelInputs = {
      inputIds: tf.tensor2d(this.rows, [n, len], 'int32'),
      attentionMask: tf.tensor2d(this.mask, [n, len], 'float32'),
      positionIds: tf.tensor2d(positionsOf(this.mask), [n, len], 'int32'),
    };
    try {
      const hidden = this.model.forward(inputs);
      try {
        return this.head.lastLogits(hidden);
      } finally {
        hidden.dispose();
      }
    } finally {
      tf.dispose([inputs.inputIds, inputs.attentionMask!, inputs.positionIds!]);
    }
  }

  dispose(): void {
    this.rows = [];
  }
}

/** The step source for `model` with output projection `head`: cached (default) or full recomputation. */
export function stepSource(model: Decoder, head: OutputProjection, useCache: boolean): StepSource {
  return useCache ? new CachedSource(model, head) : new RecomputeSource(model, head);
}
