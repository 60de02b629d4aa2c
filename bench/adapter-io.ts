/**
 * bench/adapter-io: the cost of the base-model check and of adapter files on a roberta-base-shaped
 * model (random weights, 124.6 M base parameters): the base-weights hash cold (every tensor hashed)
 * and warm (digests cached per frozen tensor, as on a repeated load), and saveAdapter / loadAdapter of
 * a LoRA (r = 8, query and value) with a 2-label head. Target: a warm load well under a second.
 *
 *   node --import tsx bench/adapter-io.ts [--backend wasm]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, parseConfig } from '../src/model/index.js';
import { attachMethod, baseWeightsHash, headParamNames, loadAdapter, paramState, saveAdapter } from '../src/peft/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader, report } from './util.js';

const flag = flagReader(['backend']);
await initBackend(flag('backend', 'wasm'));
const config = parseConfig({
  model_type: 'roberta', vocab_size: 50265, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12,
  intermediate_size: 3072, max_position_embeddings: 514, type_vocab_size: 1, pad_token_id: 1, layer_norm_eps: 1e-5,
}, 'roberta-base (random)');
const model = createModel(config, new Rng(0, 'bench/adapter-io'), { head: 'sequence-classification', numLabels: 2 });
const ms = async (fn: () => unknown) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const cold = await ms(() => baseWeightsHash(model));
const warm = await ms(() => baseWeightsHash(model));
const dir = mkdtempSync(join(tmpdir(), 'bench-adapter-io-'));
const lora = attachMethod(model, 'lora', { rank: 8 }, new Rng(0));
const save = await ms(() => saveAdapter(join(dir, 'lora'), model, lora, { head: paramState(model, headParamNames(model)) }));
lora.detach();
let loaded: Awaited<ReturnType<typeof loadAdapter>> | null = null;
const load = await ms(async () => (loaded = await loadAdapter(join(dir, 'lora'), model)));
loaded!.adapter.detach();
rmSync(dir, { recursive: true, force: true });
report('adapter-io roberta-base', { hash_cold_ms: cold, hash_warm_ms: warm, lora_save_ms: save, lora_load_ms: load });
model.dispose();
