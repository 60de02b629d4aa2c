/**
 * Learning-rate schedule: linear warm-up from 0 to the base rate over `warmup` steps, then linear
 * decay to 0 at `total` steps (transformers' get_linear_schedule_with_warmup). `step` counts from 0
 * for the first update.
 */
export function linearWarmupDecay(step: number, total: number, warmup: number, base: number): number {
  const s = step + 1;
  if (warmup > 0 && s <= warmup) return (base * s) / warmup;
  if (total <= warmup) return base;
  return base * Math.max(0, (total - s) / (total - warmup));
}

/** Warm-up steps for a ratio of the total (rounded up, as transformers' warmup_ratio). */
export function warmupSteps(total: number, ratio: number): number {
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`warm-up ratio must be in [0, 1), got ${ratio}`);
  return Math.ceil(total * ratio);
}
