/**
 * Why a method does or does not learn brown-d2t on a decoder: trains one method with the
 * d2t-tiny-gpt2 experiment's data and schedule (1,000 training MRs × 3 references, batch of pairs,
 * AdamW with 6 % warm-up and linear decay, no weight decay, clip 1, seed 0), prints the batch loss
 * every 25 steps, the held-out target loss on 60 validation MRs, then greedy-decodes 40 test MRs and
 * prints the five metrics, the generated-token count, empty outputs and four examples.
 *
 * Options take `trainableTokens` as experiments do: a list of ids or { "fromTargets": N } (the N most
 * frequent tokens of these 1,000 MRs' targets, resolved here as the experiment runner does). The
 * method `params:<regex>` trains the base parameters whose names match (e.g. `params:^(h\.|ln_f)`:
 * every block parameter and the final LayerNorm). After decoding it prints, for the first test MR,
 * the teacher-forced argmax at each target position of its first reference (what the training loss
 * sees) — greedy decoding from the prompt must start the same way.
 *
 *   node --import tsx scripts/generation-diagnose.ts <method> <lr> <steps> ['<options JSON>'] [batch]
 *   MODEL=reports/d2t-tiny-gpt2/full-merged node --import tsx scripts/generation-diagnose.ts stochgrasp 0.03 100 '{"lambda":10,"sigmaTarget":0.009}'
 *   node --import tsx scripts/generation-diagnose.ts lora 0.02 200 '{"rank":8,"alpha":16,"sites":"all-linear","trainableTokens":{"fromTargets":256}}'
 */
import { attachMethod, clmLogits, encodePairs, frequentTargetTokens, ParamTuning, promptTargetBatch, tf, Rng, seededSubset, splitTokensOption, trainGeneration } from '../src/internal.js';
import { DEFAULT_DECODER, loadDecoderAndD2t } from './d2t-decoder.js';
import { decodeAndScore, DEFAULT_DECODING } from '../src/experiment/generation.js';
const [method, lr, steps, opts = '{}', bs = '8'] = process.argv.slice(2);
const { model, tok, task } = await loadDecoderAndD2t(process.env.MODEL ?? DEFAULT_DECODER);
const full = task.load({});
const data = { train: seededSubset(full.train, 1000, 'brown-d2t/train'), evaluation: { validation: seededSubset(full.evaluation.validation, 60, 'brown-d2t/validation') } };
const test = seededSubset(full.evaluation.test, 40, 'brown-d2t/test');
const options = JSON.parse(opts) as Record<string, unknown>;
const tokens = splitTokensOption(options).tokens;
if (tokens && !Array.isArray(tokens)) options.trainableTokens = frequentTargetTokens(tok, data.train, 96, tokens.fromTargets);
const adapter = method.startsWith('params:')
  ? new ParamTuning('params', model, model.params.names().filter((n) => new RegExp(method.slice(7)).test(n)), {})
  : attachMethod(model, method, options, new Rng(0, 'adapter'));
console.log(`${method}: ${adapter.parameterCount()} trainable parameters`);
const t0 = Date.now();
const r = await trainGeneration({ model, adapter, task, data, tokenizer: tok }, {
  maxSteps: Number(steps), batchSize: Number(bs), lr: Number(lr), warmupRatio: 0.06, weightDecay: 0, clipNorm: 1, evalEvery: 'end', maxLength: 96, seed: 0, progress: 'none',
  onStep: (i) => { if (i.step % 25 === 0) console.log(`step ${i.step} loss ${i.loss.toFixed(3)} penalty ${(i.penalty ?? 0).toFixed(4)} gradient norm ${(i.gradNorm ?? 0).toFixed(3)}`); },
});
console.log(`${method} lr ${lr} steps ${steps}: held-out`, JSON.stringify(r.final), `sigma ${r.sigma?.meanRatio}`, `${((Date.now() - t0) / 1000).toFixed(0)} s`);
adapter.setMode({ kind: 'eval' });
const s = decodeAndScore(model, tok, test, { ...DEFAULT_DECODING, maxNewTokens: 48, batchSize: 20 });
console.log('scores', JSON.stringify(s.metrics), 'tokens', s.generatedTokens, 'empty', s.hypotheses.filter((h) => !h).length);
for (let i = 0; i < 4; i++) console.log(`  MR ${test[i].input}\n  -> ${s.hypotheses[i]}\n  ref ${test[i].references?.[0]}`);
const pair = encodePairs(tok, test.slice(0, 1), 96, true)[0];
const argmax = tf.tidy(() => Array.from(tf.argMax(clmLogits(model, promptTargetBatch([pair], tok.eosId!), false), -1).dataSync()));
console.log(`  teacher-forced argmax: ${argmax.map((t) => JSON.stringify(tok.decode([t]))).join(' ')}`);
