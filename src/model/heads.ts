/**
 * Task heads, matching `transformers`:
 *
 *   RoBERTa sequence classification  first token → dropout → classifier.dense → tanh → dropout
 *                                    → classifier.out_proj                 (RobertaClassificationHead)
 *   BERT sequence classification     tanh(pooler.dense(first token)) → dropout → classifier
 *   GPT-2 sequence classification    score(last non-padding token), no bias (GPT2ForSequenceClassification)
 *   RoBERTa LM                       lm_head.dense → gelu → lm_head.layer_norm → ·Eᵀ + lm_head.bias
 *   BERT LM                          cls.predictions.transform.{dense, act, LayerNorm} → ·Eᵀ + cls.predictions.bias
 *   GPT-2 LM                         ·wteᵀ (tied, no bias)
 *
 * Every head linear layer is a Site with role 'head'. Tied decoders use `linearTransposed` on the
 * word-embedding table E [vocab, hidden]; with `tie_word_embeddings: false` they use their own table.
 * A regression task is a classification head with num_labels 1.
 */
import { linearTransposed, tf } from '../tensor/index.js';
import type { TransformerConfig } from './config.js';
import { activation, dropout, geluErf, layerNorm, runContext } from './layers.js';
import type { ParamStore } from './params.js';
import type { Site } from './site.js';
import type { ForwardOptions, HeadKind, ModelHead, ModelInputs } from './types.js';

/** What a head needs from its model. */
export interface HeadHost {
  readonly config: TransformerConfig;
  readonly params: ParamStore;
  readonly sites: ReadonlyMap<string, Site>;
}

function site(host: HeadHost, name: string): Site {
  const s = host.sites.get(name);
  if (!s) throw new Error(`head: the model has no Site '${name}'`);
  return s;
}

/** hidden [batch, seq, hidden] → the first token's vector [batch, hidden]. */
export function firstToken(hidden: tf.Tensor3D): tf.Tensor2D {
  const [b, , h] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [b, 1, h]), [b, h]);
}

/** BERT's pooler: tanh(pooler.dense(first token)) → [batch, hidden]. */
export function pool(pooler: Site, hidden: tf.Tensor3D): tf.Tensor2D {
  return tf.tanh(pooler.forward(firstToken(hidden))) as tf.Tensor2D;
}

/** Index of the last position whose mask is 1, per row (seq − 1 without a mask). */
function lastTokenSelector(inputs: ModelInputs, batch: number, seq: number): tf.Tensor3D {
  const onehot = new Float32Array(batch * seq);
  const mask = inputs.attentionMask?.dataSync();
  for (let b = 0; b < batch; b++) {
    let last = seq - 1;
    if (mask) {
      last = 0;
      for (let t = 0; t < seq; t++) if (mask[b * seq + t] !== 0) last = t;
    }
    onehot[b * seq + last] = 1;
  }
  return tf.tensor3d(onehot, [batch, seq, 1]);
}

function tiedTable(host: HeadHost, untiedName: string): { table: tf.Tensor2D; frozen: boolean } {
  const c = host.config;
  const name = c.tieWordEmbeddings ? (c.family === 'decoder' ? 'wte.weight' : 'embeddings.word_embeddings.weight') : untiedName;
  return { table: host.params.get(name) as tf.Tensor2D, frozen: !host.params.isTrainable(name) };
}

function classificationHead(host: HeadHost): ModelHead {
  const c = host.config;
  const rate = c.classifierDropout ?? c.hiddenDropout;
  if (c.architecture === 'roberta') {
    const dense = site(host, 'classifier.dense'), out = site(host, 'classifier.out_proj');
    return {
      kind: 'sequence-classification', sites: [dense, out], outFeatures: out.outFeatures,
      forward(hidden, _inputs, options) {
        const ctx = runContext(options, 'classifier');
        let x = dropout(firstToken(hidden), rate, ctx);
        x = dropout(tf.tanh(dense.forward(x)), rate, ctx);
        return out.forward(x);
      },
    };
  }
  if (c.architecture === 'bert') {
    const pooler = site(host, 'pooler.dense'), cls = site(host, 'classifier');
    return {
      kind: 'sequence-classification', sites: [pooler, cls], outFeatures: cls.outFeatures,
      forward(hidden, _inputs, options) {
        return cls.forward(dropout(pool(pooler, hidden), rate, runContext(options, 'classifier')));
      },
    };
  }
  const score = site(host, 'score');
  return {
    kind: 'sequence-classification', sites: [score], outFeatures: score.outFeatures,
    forward(hidden, inputs) {
      const [b, l] = hidden.shape;
      const last = tf.sum(tf.mul(hidden, lastTokenSelector(inputs, b, l)), 1);
      return score.forward(last);
    },
  };
}

function lmHead(host: HeadHost): ModelHead {
  const c = host.config;
  if (c.family === 'decoder') {
    return {
      kind: 'lm', sites: [], outFeatures: c.vocabSize,
      forward(hidden) {
        const { table, frozen } = tiedTable(host, 'lm_head.weight');
        return linearTransposed(hidden, table, frozen);
      },
    };
  }
  const roberta = c.architecture === 'roberta';
  const p = roberta ? 'lm_head' : 'cls.predictions';
  const dense = site(host, roberta ? 'lm_head.dense' : 'cls.predictions.transform.dense');
  const ln = roberta ? 'lm_head.layer_norm' : 'cls.predictions.transform.LayerNorm';
  const act = roberta ? geluErf : activation(c.hiddenAct);
  return {
    kind: 'lm', sites: [dense], outFeatures: c.vocabSize,
    forward(hidden) {
      const P = host.params;
      const x = layerNorm(act(dense.forward(hidden)), P.get(`${ln}.weight`), P.get(`${ln}.bias`), c.layerNormEps);
      const { table, frozen } = tiedTable(host, `${p}.decoder.weight`);
      return tf.add(linearTransposed(x, table, frozen), P.get(`${p}.bias`));
    },
  };
}

/** Builds the head of `kind` over a model whose ParamStore already holds the head's parameters. */
export function createHead(host: HeadHost, kind: HeadKind): ModelHead {
  return kind === 'lm' ? lmHead(host) : classificationHead(host);
}

/** The model with a head: last hidden state → logits. Throws when the model has no head. */
export function headLogits(
  model: HeadHost & { head?: ModelHead | null; forward(i: ModelInputs, o?: ForwardOptions): tf.Tensor3D },
  inputs: ModelInputs,
  options?: ForwardOptions,
): tf.Tensor {
  const head = model.head;
  if (!head) throw new Error(`${model.config.architecture} model has no head; build or load it with head 'sequence-classification' or 'lm'`);
  return tf.tidy(() => head.forward(model.forward(inputs, options), inputs, options));
}
