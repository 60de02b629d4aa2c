/**
 * Which token rows to train for a generation task (`trainableTokens: { "fromTargets": N }`, PEFT's
 * trainable_token_indices, src/peft/trainable-tokens.ts): the N most frequent tokens of the training
 * targets — every (MR, reference) pair's reference tokens and the closing eos, exactly the tokens the
 * causal-LM loss scores (`encodePairs`, same truncation) — ties broken by the smaller id, returned sorted.
 *
 * Why these rows: a frozen tied LM head caps how confident the model can be about a token. GPT-2's
 * logits are h·E_vᵀ with h = ln_f(x) = γ ⊙ x̂ + β (x̂ normalised, so |h| ≤ max|γ|·√hidden + |β|): a
 * token whose row E_v is short or crowded by its neighbours never wins the argmax, whatever the blocks
 * compute. Training its row (shared by the input embedding and the head) lifts that cap.
 * Deterministic: no randomness.
 */
import type { Example } from '../data/task.js';
import { encodePairs, type GenerationTokenizer } from './generation-trainer.js';

/** The `top` most frequent target token ids of `examples` (all references), sorted by id. */
export function frequentTargetTokens(tokenizer: GenerationTokenizer, examples: readonly Example[], maxLength: number, top: number): number[] {
  if (!Number.isInteger(top) || top < 1) throw new Error(`trainableTokens.fromTargets must be an integer ≥ 1, got ${top}`);
  const counts = new Map<number, number>();
  for (const p of encodePairs(tokenizer, examples, maxLength)) for (const t of p.target) counts.set(t, (counts.get(t) ?? 0) + 1);
  if (counts.size === 0) throw new Error('trainableTokens.fromTargets: the training examples have no target tokens');
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top).map(([id]) => id).sort((a, b) => a - b);
}
