/**
 * Trainable tokens (Hugging Face PEFT ≥ 0.15 `trainable_token_indices`, tuners/trainable_tokens): chosen
 * rows of the word-embedding table train beside any method; every other row stays frozen. With tied
 * embeddings (GPT-2, BERT/RoBERTa MLM heads) the LM head reads the same table, so it sees the new rows too.
 *
 *   variable  V [n, hidden] holds the chosen rows' values themselves (PEFT's `trainable_tokens_delta`
 *             despite its name: initialised as a copy of E[ids], so the model is unchanged at init)
 *   forward   E' = E with rows ids replaced by V, as PEFT's index_copy: a read-time view of the table
 *             (ParamStore.setView), E' = gather([E; V], map) with map[v] = vocab + j for v = ids[j],
 *             else v — one gather, whose gradient reaches V through the embedding lookup and the tied head
 *   merge     the table E' as a plain parameter (`wte.weight` / `embeddings.word_embeddings.weight`)
 *   saved     `<embedding module>.token_adapter.trainable_tokens_delta` [n, hidden] (PEFT's key with
 *             `base_model.model.` and the base prefix added by peft-layout.ts), and in adapter_config.json
 *             `trainable_token_indices`: the id list (PEFT: a list targets the input embedding)
 *   count     n · hidden
 *
 * Methods take it as the option `trainableTokens` (a list of token ids); attachMethod wraps the method's
 * adapter. The experiment runner resolves `{ "fromTargets": N }` (the N most frequent tokens of a
 * generation task's training targets, train/generation-tokens.ts) to a list before attaching.
 * No randomness. AdamW decays V like any weight (HF Trainer); the generation experiments use no decay.
 */
import type { Transformer } from '../model/index.js';
import { embed, tf, tidyRead } from '../tensor/index.js';
import { isNoiseAware, type Adapter, type AdapterMode, type MergedWeights, type NamedTensors, type SigmaSummary, type TrainableVariable } from './adapter.js';
import { checkState, newVariable, plain } from './tensors.js';

/** The method option that asks for trainable tokens. */
export const TOKENS_OPTION = 'trainableTokens';
export const TOKENS_OPTION_DOC = 'token ids whose word-embedding rows train (PEFT trainable_token_indices); in experiments also { "fromTargets": N }, the N most frequent tokens of the training targets';

/** The experiment form resolved by the runner: the N most frequent tokens of the training targets. */
export interface TokensFromTargets {
  fromTargets: number;
}

export type TokensOption = number[] | TokensFromTargets;

/** Name of the word-embedding table a model's trainable tokens replace rows of. */
export function embeddingParam(model: Pick<Transformer, 'family'>): string {
  return model.family === 'decoder' ? 'wte.weight' : 'embeddings.word_embeddings.weight';
}

/** The state key of the rows (PEFT's, without `base_model.model.` and the base prefix). */
export function tokensKey(model: Pick<Transformer, 'family'>): string {
  return `${embeddingParam(model).replace(/\.weight$/, '')}.token_adapter.trainable_tokens_delta`;
}

/**
 * Checks an option value (the list, or the experiment form `{ fromTargets: N }`); returns it
 * normalised (ids sorted, unique). `where` names the option in errors.
 */
export function parseTokensOption(value: unknown, where: string): TokensOption {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error(`${where} must be a non-empty list of token ids (integers ≥ 0) or { "fromTargets": N }, got ${JSON.stringify(value).slice(0, 120)}`);
    }
    return [...new Set(value as number[])].sort((a, b) => a - b);
  }
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'fromTargets' in value) {
    const n = (value as TokensFromTargets).fromTargets;
    if (!Number.isInteger(n) || n < 1) throw new Error(`${where}/fromTargets must be an integer ≥ 1 (how many of the most frequent target tokens train), got ${JSON.stringify(n)}`);
    return { fromTargets: n };
  }
  throw new Error(`${where} must be a list of token ids or { "fromTargets": N }, got ${JSON.stringify(value)?.slice(0, 120)}`);
}

/** Splits a method's raw options into its own and the trainable-tokens option (validated). */
export function splitTokensOption(raw: Readonly<Record<string, unknown>>, where = `option '${TOKENS_OPTION}'`): { rest: Record<string, unknown>; tokens: TokensOption | null } {
  const { [TOKENS_OPTION]: value, ...rest } = raw;
  return { rest, tokens: value === undefined || value === null ? null : parseTokensOption(value, where) };
}

/** Trainable scalars of the option for a model of this hidden size (`fromTargets`: N, its upper bound). */
export function tokensParamCount(tokens: TokensOption | null, hidden: number, vocab: number): number {
  if (tokens === null) return 0;
  return (Array.isArray(tokens) ? tokens.length : Math.min(tokens.fromTargets, vocab)) * hidden;
}

/** A method's adapter with trainable token rows beside it (see the file comment). */
export class TokenAdapter implements Adapter {
  readonly method: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly sites: readonly string[];
  /** The token ids whose rows train, sorted. */
  readonly tokenIndices: readonly number[];
  readonly setSigmaTarget?: (target: number | Readonly<Record<string, number>>) => void;
  readonly sigmaSummary?: () => SigmaSummary[];
  private readonly rows: tf.Variable;
  private readonly table: string;
  private readonly key: string;
  private readonly map: tf.Tensor1D;
  private removeView: (() => void) | null;

  constructor(readonly inner: Adapter, private readonly model: Transformer, ids: readonly number[]) {
    this.method = inner.method;
    this.options = inner.options;
    this.sites = inner.sites;
    this.table = embeddingParam(model);
    this.key = tokensKey(model);
    const [vocab] = model.params.shape(this.table);
    const bad = ids.filter((i) => !Number.isInteger(i) || i < 0 || i >= vocab);
    if (bad.length) throw new Error(`${TOKENS_OPTION}: token ids ${bad.slice(0, 8).join(', ')} are outside the vocabulary [0, ${vocab})`);
    this.tokenIndices = [...new Set(ids)].sort((a, b) => a - b);
    if (this.tokenIndices.length === 0) throw new Error(`${TOKENS_OPTION}: no token ids given`);
    if (model.params.isTrainable(this.table)) {
      throw new Error(`${TOKENS_OPTION}: method ${inner.method} already trains ${this.table} (or another adapter replaces its rows); use one or the other`);
    }
    const map = new Int32Array(vocab).map((_, v) => v);
    this.tokenIndices.forEach((v, j) => (map[v] = vocab + j));
    this.map = tf.keep(tf.tensor1d(map, 'int32'));
    const base = model.params.stored(this.table) as tf.Tensor2D;
    this.rows = newVariable(tf.tidy(() => tf.gather(base, tf.tensor1d(this.tokenIndices as number[], 'int32'))), `tokens/${this.table}`);
    this.removeView = model.params.setView(this.table, (stored) => embed(tf.concat([stored as tf.Tensor2D, this.rows], 0) as tf.Tensor2D, this.map, true));
    if (isNoiseAware(inner)) {
      this.setSigmaTarget = (t) => inner.setSigmaTarget(t);
      this.sigmaSummary = () => inner.sigmaSummary();
    }
  }

  trainable(): TrainableVariable[] {
    return [...this.inner.trainable(), { key: this.key, variable: this.rows, decay: true }];
  }

  parameterCount(): number {
    return this.inner.parameterCount() + this.rows.size;
  }

  setMode(mode: AdapterMode): void {
    this.inner.setMode(mode);
  }

  penalty(): tf.Scalar | null {
    return this.inner.penalty?.() ?? null;
  }

  merge(): MergedWeights {
    const m = this.inner.merge();
    if (m.params.has(this.table)) throw new Error(`${TOKENS_OPTION}: method ${this.method} already changes ${this.table}`);
    const params: NamedTensors = new Map(m.params);
    params.set(this.table, { shape: this.model.params.shape(this.table), data: tidyRead(() => this.model.params.get(this.table)) });
    return { sites: m.sites, params };
  }

  state(): NamedTensors {
    const s = new Map(this.inner.state());
    s.set(this.key, plain(this.rows));
    return s;
  }

  loadState(tensors: NamedTensors, source: string): void {
    const own = new Map([...tensors].filter(([k]) => k === this.key));
    checkState(new Map([[this.key, this.rows.shape]]), own, source);
    this.inner.loadState(new Map([...tensors].filter(([k]) => k !== this.key)), source);
    const t = own.get(this.key)!;
    tf.tidy(() => this.rows.assign(tf.tensor2d(t.data, t.shape as [number, number])));
  }

  detach(): void {
    if (!this.removeView) return;
    this.removeView();
    this.removeView = null;
    this.rows.dispose();
    this.map.dispose();
    this.inner.detach();
  }
}

/** The adapter an option value asks for: `inner` itself, or `inner` with trainable token rows. */
export function withTokens(inner: Adapter, model: Transformer, tokens: TokensOption | null): Adapter {
  if (tokens === null) return inner;
  if (!Array.isArray(tokens)) {
    inner.detach();
    throw new Error(`${TOKENS_OPTION}: { "fromTargets": ${tokens.fromTargets} } needs a generation task's training targets; ` +
      'the experiment runner resolves it — elsewhere pass the token ids as a list');
  }
  try {
    return new TokenAdapter(inner, model, tokens);
  } catch (e) {
    inner.detach();
    throw e;
  }
}

/** The method's own adapter under a TokenAdapter (what method hooks such as `peftFields` expect). */
export function innerAdapter(a: Adapter): Adapter {
  return a instanceof TokenAdapter ? a.inner : a;
}

/**
 * `trainable_token_indices` of an adapter_config.json: null when absent; a list targets the input
 * embedding (as PEFT); an object must have one key naming this model's input embedding module
 * (`wte`, `transformer.wte`, `word_embeddings`, …). Errors name the file and the JSON pointer.
 */
export function tokensFromConfig(value: unknown, file: string, model: Pick<Transformer, 'family' | 'architecture'>, modulePathOf: (param: string) => string): number[] | null {
  if (value === undefined || value === null) return null;
  const pointer = '/trainable_token_indices';
  let list: unknown = value;
  let at = pointer;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const module = modulePathOf(embeddingParam(model).replace(/\.weight$/, ''));
    const keys = Object.keys(value);
    const fits = (k: string) => module === k || module.endsWith(`.${k}`);
    if (keys.length !== 1 || !fits(keys[0])) {
      throw new Error(`${file}: ${pointer} must name only this model's input embedding (${module}); got keys ${JSON.stringify(keys)} ` +
        '(trainable tokens of an untied output layer are not supported)');
    }
    list = (value as Record<string, unknown>)[keys[0]];
    at = `${pointer}/${keys[0]}`;
  }
  try {
    return parseTokensOption(list, at) as number[];
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}
