/**
 * bench/generate: greedy decoding tokens/s with and without the key/value cache, on the tiny GPT-2
 * fixture (test/fixtures/tiny-gpt2-random/lm-head) and on a GPT-2-small-shaped random model
 * (12 layers, 768 wide, 12 heads, vocab 50257), one prompt of 16 tokens, 64 new tokens. Without the
 * cache every step recomputes the whole sequence; with it every step is one token's forward. Both
 * use one Generator (the transposed output table is made once, outside the timing; its cost is
 * reported as setup_ms).
 *
 * With --beams N (> 1) it also times cached beam search of width N on the GPT-2-small-shaped model
 * (eos disabled, so every beam runs the full length): new tokens per prompt per second.
 *
 *   node --import tsx bench/generate.ts [--backend wasm] [--new 64] [--layers 12] [--beams 10]
 */
import { Generator } from '../src/generate/index.js';
import { loadModel } from '../src/io/index.js';
import { createModel, parseConfig, type Model } from '../src/model/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader, report, timeMs } from './util.js';

const flag = flagReader(['backend', 'beams', 'layers', 'new']);
const info = await initBackend(flag('backend', 'wasm'));
const newTokens = Number(flag('new', '64'));
const layers = Number(flag('layers', '12'));
const beams = Number(flag('beams', '1'));

function measure(name: string, model: Model, vocab: number, reps: number): void {
  const rng = new Rng(1, 'bench/generate/prompt');
  const prompt = Array.from({ length: 16 }, () => rng.int(vocab));
  const t0 = performance.now();
  const g = new Generator(model);
  const setup = performance.now() - t0;
  // eos disabled so that every run generates exactly newTokens tokens.
  const run = (useCache: boolean) => () => void g.generate([prompt], { maxNewTokens: newTokens, eosTokenId: null, useCache });
  const cached = timeMs(run(true), reps, 1);
  const recomputed = timeMs(run(false), reps, 1);
  g.dispose();
  report(`generate ${name}, greedy, prompt 16, ${newTokens} new tokens, on ${info.name}`, {
    setup_ms: setup,
    cached_tokens_per_s: (newTokens / cached) * 1000,
    recompute_tokens_per_s: (newTokens / recomputed) * 1000,
    speedup: recomputed / cached,
  });
}

const tiny = await loadModel(new URL('../test/fixtures/tiny-gpt2-random/lm-head', import.meta.url).pathname);
if (16 + newTokens <= tiny.config.maxPositions) measure('tiny fixture (2 layers, 32 wide)', tiny, 100, 5);
else console.log(`tiny fixture skipped: 16 + ${newTokens} tokens exceed its ${tiny.config.maxPositions} positions`);
tiny.dispose();

const config = parseConfig({
  model_type: 'gpt2', vocab_size: 50257, n_embd: 768, n_layer: layers, n_head: 12, n_positions: 1024,
  activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, bos_token_id: 50256, eos_token_id: 50256,
}, 'gpt2-small-shaped (random)');
const small = createModel(config, new Rng(0, 'bench/generate'), { head: 'lm' });
measure(`gpt2-small-shaped (${layers} layers, random)`, small, 50257, 1);
if (beams > 1) {
  const rng = new Rng(1, 'bench/generate/prompt');
  const prompt = Array.from({ length: 16 }, () => rng.int(50257));
  const g = new Generator(small);
  const ms = timeMs(() => void g.generate([prompt], { maxNewTokens: newTokens, numBeams: beams, eosTokenId: null }), 1, 0);
  g.dispose();
  report(`generate gpt2-small-shaped (${layers} layers, random), beam ${beams}, prompt 16, ${newTokens} new tokens, on ${info.name}`, {
    cached_tokens_per_s: (newTokens / ms) * 1000,
    ms_per_step: ms / newTokens,
  });
}
small.dispose();
