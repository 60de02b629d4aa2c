/**
 * BERT / RoBERTa encoder, numerically as `transformers`' BertModel / RobertaModel (eager attention):
 *
 *   embeddings   E_word[ids] + E_pos[positions] + E_type[token types] → LayerNorm → dropout
 *                (RoBERTa positions start at pad_token_id + 1 and padding keeps pad_token_id)
 *   × numLayers  post-LN block:
 *                  a = dropout(attention.output.dense(MHA(query, key, value)))   x = LN(x + a)
 *                  f = dropout(output.dense(act(intermediate.dense(x))))          x = LN(x + f)
 *   → last hidden state [batch, seq, hidden]
 *
 * The pooler (`pooler.dense`, tanh of the first token) is kept when the checkpoint has one and is
 * available through `pooled()`; RobertaModel's last_hidden_state does not use it.
 */
import { embed, tf } from '../tensor/index.js';
import { attend, mergeHeads, paddingBias, splitHeads } from './attention.js';
import { headDim, type TransformerConfig } from './config.js';
import { pool } from './heads.js';
import { checkInputs } from './inputs.js';
import { activation, dropout, layerNorm, runContext, type RunContext } from './layers.js';
import type { ParamStore } from './params.js';
import type { Site } from './site.js';
import { TransformerBase, type ModelOptions } from './transformer.js';
import type { ForwardOptions, ModelInputs } from './types.js';

interface EncoderBlock {
  query: Site;
  key: Site;
  value: Site;
  attentionOutput: Site;
  intermediate: Site;
  output: Site;
  /** Prefix of the block's parameters, e.g. 'encoder.layer.3'. */
  prefix: string;
}

export class Encoder extends TransformerBase {
  readonly family = 'encoder' as const;
  private readonly blocks: EncoderBlock[];
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: TransformerConfig, params: ParamStore, options: ModelOptions = {}) {
    if (config.family !== 'encoder') throw new Error(`Encoder: config is for ${config.architecture}, a decoder`);
    super(config, params, options);
    this.act = activation(config.hiddenAct);
    this.blocks = [];
    for (let i = 0; i < config.numLayers; i++) {
      const p = `encoder.layer.${i}`;
      this.blocks.push({
        query: this.site(`${p}.attention.self.query`),
        key: this.site(`${p}.attention.self.key`),
        value: this.site(`${p}.attention.self.value`),
        attentionOutput: this.site(`${p}.attention.output.dense`),
        intermediate: this.site(`${p}.intermediate.dense`),
        output: this.site(`${p}.output.dense`),
        prefix: p,
      });
    }
  }

  forward(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D {
    const ctx = runContext(options, `${this.config.architecture} forward`);
    const { batch, seq, positions } = checkInputs(inputs, this.config, `${this.config.architecture} forward`);
    return tf.tidy(() => {
      const c = this.config;
      let x = this.embed(inputs, tf.tensor2d(positions, [batch, seq], 'int32'));
      x = dropout(layerNorm(x, this.param('embeddings.LayerNorm.weight'), this.param('embeddings.LayerNorm.bias'), c.layerNormEps), c.embeddingDropout, ctx);
      const bias = inputs.attentionMask ? paddingBias(inputs.attentionMask) : null;
      // Each block in its own scope: its intermediates are freed as soon as it is done (tensors a
      // gradient needs are kept by the tape), so peak memory is one block's, not the whole model's.
      for (const block of this.blocks) {
        const input = x;
        x = tf.tidy(() => this.block(block, input, bias, ctx));
      }
      return x as tf.Tensor3D;
    });
  }

  /** Pooled output tanh(pooler.dense(hidden[:, 0])) [batch, hidden]; throws when the model has no pooler. */
  pooled(hidden: tf.Tensor3D): tf.Tensor2D {
    if (!this.hasPooler) throw new Error(`${this.config.architecture} model has no pooler (the checkpoint has no pooler.dense weights)`);
    return tf.tidy(() => pool(this.site('pooler.dense'), hidden));
  }

  private table(name: string): { t: tf.Tensor2D; trainable: boolean } {
    return { t: this.param(name) as tf.Tensor2D, trainable: this.params.isTrainable(name) };
  }

  /** Sum of word, position and token-type embeddings [batch, seq, hidden]. */
  private embed(inputs: ModelInputs, positions: tf.Tensor2D): tf.Tensor {
    const word = this.table('embeddings.word_embeddings.weight');
    const pos = this.table('embeddings.position_embeddings.weight');
    const type = this.table('embeddings.token_type_embeddings.weight');
    const types = inputs.tokenTypeIds ?? tf.zeros(inputs.inputIds.shape, 'int32');
    return tf.add(tf.add(embed(word.t, inputs.inputIds, word.trainable), embed(type.t, types, type.trainable)), embed(pos.t, positions, pos.trainable));
  }

  private block(b: EncoderBlock, x: tf.Tensor, bias: tf.Tensor | null, ctx: RunContext): tf.Tensor {
    const c = this.config;
    const n = c.numHeads;
    const q = splitHeads(b.query.forward(x), n);
    const k = splitHeads(b.key.forward(x), n);
    const v = splitHeads(b.value.forward(x), n);
    const context = mergeHeads(attend(q, k, v, bias, 1 / Math.sqrt(headDim(c)), c.attentionDropout, ctx));
    const a = dropout(b.attentionOutput.forward(context), c.hiddenDropout, ctx);
    const ln1 = `${b.prefix}.attention.output.LayerNorm`;
    x = layerNorm(tf.add(a, x), this.param(`${ln1}.weight`), this.param(`${ln1}.bias`), c.layerNormEps);
    const f = dropout(b.output.forward(this.act(b.intermediate.forward(x))), c.hiddenDropout, ctx);
    const ln2 = `${b.prefix}.output.LayerNorm`;
    return layerNorm(tf.add(f, x), this.param(`${ln2}.weight`), this.param(`${ln2}.bias`), c.layerNormEps);
  }
}
