import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../src/train/progress.js';

afterEach(() => { vi.useRealTimers(); });

describe('createProgress lines', () => {
  const info = (step: number) => ({ step, total: 100, epoch: 1, loss: 1, lr: 1e-3, tokensPerSecond: 10 });

  it('extrapolates the ETA from the steps run so far', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const p = createProgress(100, 'lines', (l) => lines.push(l));
    vi.setSystemTime(20_000);
    p.update(info(10));
    expect(lines).toEqual(['step 10/100 epoch 1 loss 1.0000 lr 1.00e-3 10 tok/s eta 3m00s']);
  });

  it('after a resume, counts only the steps this process ran', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const p = createProgress(100, 'lines', (l) => lines.push(l), 10, 80);
    vi.setSystemTime(20_000);
    p.update(info(90));
    // 10 steps in 20 s, 10 steps left: 20 s (not 20 / 90 · 10 ≈ 2 s).
    expect(lines[0]).toMatch(/eta 20s$/);
  });
});
