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
 */
import { embed, tf } from '../tensor/index.js';
import { attend, causalBias, mergeHeads, paddingBias, splitHeads } from './attention.js';
import { headDim, type TransformerConfig } from './config.js';
import { checkInputs } from './inputs.js';
import { activation, dropout, layerNorm, runContext, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';
import type { Site } from './site.js';
import { TransformerBase, type ModelOptions } from './transformer.js';
import type { ForwardOptions, ModelInputs } from './types.js';

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
        x = tf.tidy(() => this.block(block, input, bias, ctx));
      }
      return layerNorm(x, this.param('ln_f.weight'), this.param('ln_f.bias'), c.layerNormEps) as tf.Tensor3D;
    });
  }

  private ln(name: string, x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.param(`${name}.weight`), this.param(`${name}.bias`), this.config.layerNormEps);
  }

  private block(b: DecoderBlock, x: tf.Tensor, bias: tf.Tensor, ctx: RunContext): tf.Tensor {
    const c = this.config;
    const n = c.numHeads;
    const [q, k, v] = tf.split(b.cAttn.forward(this.ln(`${b.prefix}.ln_1`, x)), 3, 2);
    const context = mergeHeads(attend(splitHeads(q, n), splitHeads(k, n), splitHeads(v, n), bias, b.scale, c.attentionDropout, ctx));
    x = tf.add(x, dropout(b.attnProj.forward(context), c.hiddenDropout, ctx));
    const f = b.mlpProj.forward(this.act(b.fc.forward(this.ln(`${b.prefix}.ln_2`, x))));
    return tf.add(x, dropout(f, c.hiddenDropout, ctx));
  }
}
