/**
 * Generation task `e2e`: the E2E NLG Challenge release read from `dataDir` with `loadE2E` (e2e.ts) —
 * one Example per MR with all its references (grouped as the official evaluation groups them);
 * splits train (trainset.csv), validation (devset.csv) and test (testset_w_refs.csv). The data is
 * not shipped: point the experiment's `task.dataDir` at the challenge's e2e-dataset folder.
 */
import { loadE2E, type E2EItem } from './e2e.js';
import { registerTask, type Example, type GenerationTask, type TaskData, type TaskLoadOptions } from './task.js';

const toExample = (item: E2EItem): Example => ({ input: item.mr, label: 0, references: item.refs, source: item.source });

export const e2eTask: GenerationTask = registerTask<GenerationTask>({
  id: 'e2e',
  description: 'E2E NLG Challenge (restaurant MRs → text) from the challenge CSVs in dataDir',
  kind: 'generation',
  metrics: ['BLEU', 'NIST', 'METEOR', 'ROUGE_L', 'CIDEr'],
  primaryMetric: 'BLEU',
  evalSplits: ['validation', 'test'],
  needsDataDir: true,
  load(options?: TaskLoadOptions): TaskData {
    if (!options?.dataDir) throw new Error("task e2e needs dataDir: the folder with the E2E challenge's trainset.csv, devset.csv and testset_w_refs.csv");
    const d = loadE2E(options.dataDir);
    const missing = d.test.find((i) => i.refs.length === 0);
    if (missing) throw new Error(`task e2e: ${missing.source} has no references; use testset_w_refs.csv (the test set with references) for evaluation`);
    return { train: d.train.map(toExample), evaluation: { validation: d.validation.map(toExample), test: d.test.map(toExample) } };
  },
});
