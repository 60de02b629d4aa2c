/** A tiny model and inputs for PEFT tests. */
import { configToJson, createModel, headLogits, parseConfig, tinyConfig, type Architecture, type Model, type ModelInputs } from '../../src/model/index.js';
import { Rng, tf } from '../../src/tensor/index.js';

export function tinyModel(architecture: Architecture = 'roberta', seed = 1, numLabels = 3): Model {
  const small = tinyConfig({ architecture, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: 50, maxPositions: 20, numLabels });
  // A wide initialisation so that adapters visibly change the logits.
  const config = parseConfig({ ...configToJson(small), initializer_range: 0.3 }, 'tiny test model');
  return createModel(config, new Rng(seed, 'model'), { head: 'sequence-classification', numLabels });
}

export function tinyInputs(seed = 2, batch = 3, seq = 7, vocab = 50): ModelInputs {
  const rng = new Rng(seed, 'inputs');
  const ids = new Int32Array(batch * seq);
  const mask = new Float32Array(batch * seq).fill(1);
  for (let i = 0; i < ids.length; i++) ids[i] = 3 + rng.int(vocab - 3);
  // The last row has two padding positions (RoBERTa pad id 1).
  for (let t = seq - 2; t < seq; t++) {
    ids[(batch - 1) * seq + t] = 1;
    mask[(batch - 1) * seq + t] = 0;
  }
  return { inputIds: tf.tensor2d(ids, [batch, seq], 'int32'), attentionMask: tf.tensor2d(mask, [batch, seq]) };
}

export function logits(model: Model, inputs: ModelInputs, options: { training?: boolean; rng?: Rng } = {}): Float32Array {
  return tf.tidy(() => headLogits(model, inputs, options).dataSync() as Float32Array).slice();
}

export function disposeInputs(inputs: ModelInputs): void {
  inputs.inputIds.dispose();
  inputs.attentionMask?.dispose();
  inputs.tokenTypeIds?.dispose();
}
