/**
 * The README's library example, examples/grasp-on-chip.ts, runs (imported by package name, resolved to src/ by the vitest
 * alias), with a few training steps instead of its default 64.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../examples/grasp-on-chip.js';

describe('examples', () => {
  it('grasp-on-chip: trains GRASP, programs a PCM chip and reads it one day later', async () => {
    const { digital, analog } = await main(4);
    // Four genres, 256 test passages: both accuracies are real fractions of 256.
    for (const a of [digital, analog]) expect(Number.isInteger(a * 256) && a > 0 && a <= 1).toBe(true);
    // With global drift compensation the chip stays within a few passages of the digital model.
    expect(Math.abs(analog - digital)).toBeLessThan(0.05);
  });
});
