import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadExperiment, parseExperiment, plan } from '../../src/experiment/index.js';
import type { PlanInputs } from '../../src/experiment/inputs.js';

const file = fileURLToPath(new URL('../../experiments/hwa-study.json', import.meta.url));
const inputs: PlanInputs = { model: 'm', data: 'd', profiles: new Map([['pcm-aihwkit', { id: 'pcm-aihwkit', ref: 'pcm-aihwkit', hash: 'h' }]]) };

describe('experiments/hwa-study.json and training.hwa in experiments', () => {
  it('trains HWA-GRASP and HWA-LoRA with the noise, as their own adapters, on ≥ 3 seeds, compared with GRASP', () => {
    const { experiment } = loadExperiment(file);
    expect(experiment.compareTo).toBe('grasp');
    expect(experiment.seeds.train.length).toBeGreaterThanOrEqual(3);
    const p = plan(experiment, inputs);
    const byEntry = (id: string) => p.adapters.filter((a) => a.entryId === id);
    for (const id of ['hwa-grasp', 'hwa-lora']) {
      expect(byEntry(id)).toHaveLength(3);
      for (const a of byEntry(id)) expect(a.training.hwa).toEqual({ sites: 'all-linear', type: 'additive-constant', stdDev: 0.0175 });
    }
    for (const a of byEntry('grasp')) expect(a.training.hwa).toBeUndefined();
    const keys = (id: string) => byEntry(id).map((a) => a.key);
    expect(keys('hwa-grasp').filter((k) => keys('grasp').includes(k))).toEqual([]);
    expect(byEntry('stochgrasp')).toHaveLength(3);
  });

  it('rejects a bad hwa field with the file and its JSON pointer', () => {
    const exp = JSON.parse(JSON.stringify(loadExperiment(file).experiment));
    exp.methods[1].training.hwa = { stdDev: -0.1, clip: { type: 'layer' } };
    expect(() => parseExperiment(exp, 'experiments/x.json')).toThrow(/experiments\/x\.json[\s\S]*\/methods\/1\/training\/hwa\/stdDev[\s\S]*\/methods\/1\/training\/hwa\/clip\/type/);
  });
});
