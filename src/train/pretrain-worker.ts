/**
 * A helper thread of data-parallel pre-training (pretrain-team.ts): a replica of the model on its
 * own TF.js engine. Per request it takes the leader's weights, computes each of its micro-batches'
 * mean loss and gradients with dropout stream `<stream>/dropout/<step>/<k>`, and sends them back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createModel, parseConfig, type Model } from '../model/index.js';
import { initBackend, Rng, tf } from '../tensor/index.js';
import { clmLoss, type ClmBatch } from './clm.js';
import { mlmLoss, type MaskedBatch } from './mlm.js';
import { microGradients, type MicroResult, type PretrainKind, type TeamInit, type TeamRequest } from './pretrain-team.js';

const init = workerData as TeamInit;

function lossOf(kind: PretrainKind, model: Model, batch: unknown, dropout: Rng): tf.Scalar {
  return kind === 'mlm' ? mlmLoss(model, batch as MaskedBatch, dropout) : clmLoss(model, batch as ClmBatch, true, dropout);
}

async function main(): Promise<void> {
  await initBackend(init.backend);
  const model = createModel(parseConfig(init.config, 'data-parallel pre-training'), new Rng(init.seed, 'pretrain-worker/init'), { head: 'lm' });
  for (const name of init.names) model.params.setTrainable(name, true);
  const byName = model.params.trainable();
  const vars = init.names.map((n) => {
    const v = byName.get(n);
    if (!v) throw new Error(`the thread's model has no trainable parameter '${n}'`);
    return v;
  });
  const dropoutRoot = new Rng(init.seed, init.stream).fork('dropout');
  parentPort?.on('message', (m: TeamRequest) => {
    try {
      tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(m.weights[i], v.shape))));
      const results: MicroResult[] = m.items.map(({ k, batch }) => microGradients(vars, k, () => lossOf(init.kind, model, batch, dropoutRoot.fork(`${m.step}/${k}`))));
      parentPort?.postMessage({ ok: true, results }, results.flatMap((r) => r.grads.map((g) => g.buffer as ArrayBuffer)));
    } catch (e) {
      parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
  parentPort?.postMessage({ ready: true });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
});
