/**
 * GPT-2 decoder, numerically as `transformers`' GPT2Model (eager attention):
 *
 *   embeddings   wte[ids] + wpe[0..seq−1] → dropout(embd_pdrop)
 *   × numLayers  pre-LN block:
 *                  q,k,v = split(attn.c_attn(ln_1(x)))        (fused [hidden, 3·hidden])
 *                  x = x + dropout(attn.c_proj(causal MHA(q, k, v)))
 *                  x = x + dropout(mlp.c_proj(gelu_new(mlp.c_fc(ln_2(x)))))
 *   → ln_f → last hidden state [batch, seq, hidden]
 *
 * The attention mask combines the causal mask with key padding, as GPT2Model does: padding keys are
 * excluded, and position ids stay 0..seq−1 unless `positionIds` is given (for left padding).
 *
 * `forwardCached` is the same block for generation with a key/value cache (kv-cache.ts): the new
 * tokens' keys and values are appended to the cached ones and only the new positions are computed.
 * `forward` takes the same code path with no cache, so its numbers are unchanged by the cache.
 */
import { checkIds, embed, tf } from '../tensor/index.js';
import { attend, causalBias, mergeHeads, paddingBias, splitHeads } from './attention.js';
import { headDim, type TransformerConfig } from './config.js';
import { checkInputs } from './inputs.js';
import { KvCache, type LayerKv } from './kv-cache.js';
import { activation, dropout, layerNorm, runContext, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';
import type { Site } from './site.js';
import { TransformerBase, type ModelOptions } from './transformer.js';
import type { ForwardOptions, ModelInputs } from './types.js';

/** New tokens for `Decoder.forwardCached`. */
export interface CachedStepInputs {
  /** int32 ids of the new tokens [rows, seq]. */
  inputIds: tf.Tensor2D;
  /** Their position ids, [rows·seq] row-major (left padding: `transformers` uses cumsum(mask) − 1). */
  positions: Int32Array;
  /** 0/1 key mask over cached and new positions, [rows·(past + seq)] row-major. */
  keyMask: Float32Array;
}

interface DecoderBlock {
  cAttn: Site;
  attnProj: Site;
  fc: Site;
  mlpProj: Site;
  /** 'h.3' */
  prefix: string;
  /** Score scale: 1/√headDim (if scale_attn_weights), times 1/(i+1) (if scale_attn_by_inverse_layer_idx). */
  scale: number;
}

export class Decoder extends TransformerBase {
  readonly family = 'decoder' as const;
  private readonly blocks: DecoderBlock[];
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: TransformerConfig, params: ParamStore, options: ModelOptions = {}) {
    if (config.family !== 'decoder') throw new Error(`Decoder: config is for ${config.architecture}, an encoder`);
    super(config, params, options);
    this.act = activation(config.hiddenAct);
    this.blocks = [];
    for (let i = 0; i < config.numLayers; i++) {
      const p = `h.${i}`;
      let scale = config.scaleAttnWeights ? 1 / Math.sqrt(headDim(config)) : 1;
      if (config.scaleAttnByInverseLayerIdx) scale /= i + 1;
      this.blocks.push({
        cAttn: this.site(`${p}.attn.c_attn`),
        attnProj: this.site(`${p}.attn.c_proj`),
        fc: this.site(`${p}.mlp.c_fc`),
        mlpProj: this.site(`${p}.mlp.c_proj`),
        prefix: p,
        scale,
      });
    }
  }

  forward(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D {
    const ctx = runContext(options, 'gpt2 forward');
    const { batch, seq, positions } = checkInputs(inputs, this.config, 'gpt2 forward');
    return tf.tidy(() => {
      const c = this.config;
      const wteTrainable = this.params.isTrainable('wte.weight');
      const wpeTrainable = this.params.isTrainable('wpe.weight');
      const pos = tf.tensor2d(positions, [batch, seq], 'int32');
      let x = tf.add(
        embed(this.param('wte.weight') as tf.Tensor2D, inputs.inputIds, wteTrainable),
        embed(this.param('wpe.weight') as tf.Tensor2D, pos, wpeTrainable),
      );
      x = dropout(x, c.embeddingDropout, ctx);
      let bias: tf.Tensor = causalBias(seq);
      if (inputs.attentionMask) bias = tf.add(bias, paddingBias(inputs.attentionMask));
      // Each block in its own scope: its intermediates are freed as soon as it is done (tensors a
      // gradient needs are kept by the tape), so peak memory is one block's, not the whole model's.
      for (const block of this.blocks) {
        const input = x;
        x = tf.tidy(() => this.block(block, input, bias, ctx, null).x);
      }
      return layerNorm(x, this.param('ln_f.weight'), this.param('ln_f.bias'), c.layerNormEps) as tf.Tensor3D;
    });
  }

  /**
   * Evaluation-mode forward of new tokens after `past` (null: nothing cached yet). Returns the last
   * hidden state of the new positions [rows, seq, hidden] and the cache extended by them; `past` is
   * left intact (the caller disposes it). Cost: the new tokens' forward against past + seq keys.
   */
  forwardCached(step: CachedStepInputs, past: KvCache | null): { hidden: tf.Tensor3D; cache: KvCache } {
    const c = this.config;
    const ids = step.inputIds;
    if (ids.rank !== 2 || ids.dtype !== 'int32') throw new Error(`gpt2 cached forward: inputIds must be an int32 [rows, seq] tensor, got ${ids.dtype} [${ids.shape}]`);
    const [rows, seq] = ids.shape;
    const pastLen = past ? past.length : 0;
    if (past && past.rows !== rows) throw new Error(`gpt2 cached forward: the cache has ${past.rows} rows, inputIds ${rows}`);
    if (step.positions.length !== rows * seq) throw new Error(`gpt2 cached forward: positions has ${step.positions.length} entries, expected rows·seq = ${rows * seq}`);
    if (step.keyMask.length !== rows * (pastLen + seq)) throw new Error(`gpt2 cached forward: keyMask has ${step.keyMask.length} entries, expected rows·(past + seq) = ${rows * (pastLen + seq)}`);
    checkIds(ids.dataSync(), c.vocabSize, 'gpt2 cached forward: inputIds');
    checkIds(step.positions, c.maxPositions, `gpt2 cached forward: positions (max positions ${c.maxPositions}); shorten the prompt or max_new_tokens`);
    const ctx = runContext(undefined, 'gpt2 cached forward');
    const out = tf.tidy(() => {
      const pos = tf.tensor2d(step.positions, [rows, seq], 'int32');
      let x: tf.Tensor = tf.add(embed(this.param('wte.weight') as tf.Tensor2D, ids, false), embed(this.param('wpe.weight') as tf.Tensor2D, pos, false));
      const mask = tf.tensor2d(step.keyMask, [rows, pastLen + seq], 'float32');
      const bias = tf.add(causalBias(seq, pastLen), paddingBias(mask));
      const kv: tf.Tensor[] = [];
      for (let i = 0; i < this.blocks.length; i++) {
        const r = this.block(this.blocks[i], x, bias, ctx, past ? past.layers[i] : null);
        x = r.x;
        kv.push(r.k, r.v);
      }
      return [layerNorm(x, this.param('ln_f.weight'), this.param('ln_f.bias'), c.layerNormEps), ...kv];
    });
    const layers: LayerKv[] = [];
    for (let i = 1; i < out.length; i += 2) layers.push({ k: out[i] as tf.Tensor4D, v: out[i + 1] as tf.Tensor4D });
    return { hidden: out[0] as tf.Tensor3D, cache: new KvCache(layers) };
  }

  private ln(name: string, x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.param(`${name}.weight`), this.param(`${name}.bias`), this.config.layerNormEps);
  }

  /** One block; with `past`, the new keys and values follow the cached ones. Returns the block output and all keys/values. */
  private block(b: DecoderBlock, x: tf.Tensor, bias: tf.Tensor, ctx: RunContext, past: LayerKv | null): { x: tf.Tensor } & LayerKv {
    const c = this.config;
    const n = c.numHeads;
    const [q, kNew, vNew] = tf.split(b.cAttn.forward(this.ln(`${b.prefix}.ln_1`, x)), 3, 2);
    const qh = splitHeads(q, n);
    let k = splitHeads(kNew, n);
    let v = splitHeads(vNew, n);
    if (past) {
      k = tf.concat([past.k, k], 2);
      v = tf.concat([past.v, v], 2);
    }
    const context = mergeHeads(attend(qh, k, v, bias, b.scale, c.attentionDropout, ctx));
    x = tf.add(x, dropout(b.attnProj.forward(context), c.hiddenDropout, ctx));
    const f = b.mlpProj.forward(this.act(b.fc.forward(this.ln(`${b.prefix}.ln_2`, x))));
    return { x: tf.add(x, dropout(f, c.hiddenDropout, ctx)), k, v };
  }
}
