/**
 * What the encoder and the decoder share: a config, a ParamStore checked against the config's
 * parameter list, Sites built from that list, an optional head, and ownership of the parameters.
 */
import { tf } from '../tensor/index.js';
import type { TransformerConfig } from './config.js';
import { createHead, headLogits } from './heads.js';
import type { ParamStore } from './params.js';
import { Site } from './site.js';
import { modelSpec, type ModelSpec, type SpecOptions } from './spec.js';
import type { Architecture, Family, ForwardOptions, ModelHead, ModelInputs, Transformer } from './types.js';

/** How a model is assembled: its head and whether it carries BERT/RoBERTa's pooler. */
export type ModelOptions = SpecOptions;

/** Throws, listing every missing parameter and shape mismatch, when `params` does not fit `spec`. */
export function checkParams(params: ParamStore, spec: ModelSpec, source: string): void {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const p of spec.params) {
    if (!params.has(p.name)) missing.push(p.name);
    else {
      const s = params.shape(p.name);
      if (s.length !== p.shape.length || s.some((d, i) => d !== p.shape[i])) wrong.push(`${p.name} has shape [${s.join(', ')}], config implies [${p.shape.join(', ')}]`);
    }
  }
  if (missing.length || wrong.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length}: ${abbreviate(missing)}`);
    if (wrong.length) parts.push(`wrong shape: ${abbreviate(wrong)}`);
    throw new Error(`${source}: parameters do not match the config (${parts.join('; ')})`);
  }
}

/** Joins names, keeping the first `max` and counting the rest. */
export function abbreviate(items: string[], max = 20): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`;
}

export abstract class TransformerBase implements Transformer {
  abstract readonly family: Family;
  readonly sites: ReadonlyMap<string, Site>;
  readonly head: ModelHead | null;
  /** The parameter list this model was checked against. */
  readonly spec: ModelSpec;
  /** Whether BERT/RoBERTa's pooler (`pooler.dense`) is part of this model. */
  readonly hasPooler: boolean;

  constructor(readonly config: TransformerConfig, readonly params: ParamStore, readonly options: ModelOptions = {}) {
    this.spec = modelSpec(config, options);
    checkParams(params, this.spec, `${config.architecture} model`);
    const sites = new Map<string, Site>();
    for (const s of this.spec.sites) sites.set(s.name, new Site(s.name, s.role, s.block, s.layout, params, s.hasBias));
    this.sites = sites;
    this.hasPooler = sites.has('pooler.dense');
    this.head = options.head ? createHead(this, options.head) : null;
  }

  get architecture(): Architecture {
    return this.config.architecture;
  }

  /** Last hidden state [batch, seq, hidden]. */
  abstract forward(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D;

  /** The head's logits: [batch, numLabels] or [batch, seq, vocab]. Throws without a head. */
  logits(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor {
    return headLogits(this, inputs, options);
  }

  /** The Site called `name`; the error lists near names. */
  site(name: string): Site {
    const s = this.sites.get(name);
    if (!s) {
      const tail = name.split('.').slice(-2).join('.');
      const near = [...this.sites.keys()].filter((k) => k.endsWith(tail)).slice(0, 6);
      throw new Error(`no Site '${name}'${near.length ? `; similar: ${near.join(', ')}` : ''}`);
    }
    return s;
  }

  /** A parameter that may train (LayerNorm, biases) — the variable when trainable. */
  protected param(name: string): tf.Tensor {
    return this.params.get(name);
  }

  dispose(): void {
    this.params.dispose();
  }
}
