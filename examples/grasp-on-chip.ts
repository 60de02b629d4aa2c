/**
 * Library example (shown in the README): train GRASP on the shipped model, put the merged model on a
 * simulated PCM chip and read its accuracy one day after programming. Run: `npx tsx examples/grasp-on-chip.ts`.
 * test/examples/examples.test.ts runs it with GRASP_HIL_EXAMPLE_STEPS=4.
 */
import {
  applyMerged, attachMethod, Chip, encodeExamples, evaluate, getTask, initBackend, loadModel, loadTokenizer, numOutputs,
  Rng, seededSubset, selectSites, train, weightsOfSites,
} from 'grasp-hil';

export async function main(steps = Number(process.env.GRASP_HIL_EXAMPLE_STEPS ?? 64)): Promise<Record<string, number>> {
  await initBackend();
  const task = getTask('brown-genre'), data = task.load({});
  const model = await loadModel('models/tiny-roberta', { withHead: 'sequence-classification', numLabels: numOutputs(task) });
  const tokenizer = loadTokenizer('models/tiny-roberta');
  const adapter = attachMethod(model, 'grasp', { k: 32, sites: 'all-linear' }, new Rng(0, 'init'));
  await train({ model, adapter, task, data, tokenizer }, { maxSteps: steps, batchSize: 32, lr: 0.01, maxLength: 64, trainExamples: 512, evalExamples: 64, seed: 0, progress: 'none' });
  const merged = adapter.merge(); adapter.detach(); applyMerged(model, merged);   // GRASP folded into W
  const test = encodeExamples(tokenizer, seededSubset(data.evaluation.test, 256, 'brown-genre/test'), 64);
  const digital = evaluate(model, task, test).accuracy;
  const chip = Chip.program(weightsOfSites(selectSites(model, 'all-linear')), 'pcm-aihwkit', { adc: { bits: 8 }, dac: { bits: 8 } }, { chip: 0, read: 0 });
  const oneDay = chip.at(86400, { compensation: 'global' }); const detach = oneDay.attach(model);
  const analog = evaluate(model, task, test).accuracy;
  detach(); oneDay.dispose(); model.dispose();
  return { digital, analog };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
