/**
 * The loop both pre-training objectives share (mlm.ts: masked LM; clm.ts: causal LM): every
 * parameter of the model trains, AdamW (β₂ 0.98, ε 1e-6, no decay on the parameters `noDecay`
 * matches), warm-up then linear decay, global-norm clipping.
 *
 *   per step  batchSize blocks from a shuffled order (reshuffled when the next batch would run past
 *             the end) → the objective's batch → loss, gradients, ‖g‖ → non-finite: an error naming
 *             the step → clipped AdamW step → progress, onStep
 *   held-out  every `evalEvery` steps (0: none) and after the last one
 *
 * Streams (Rng(seed, stream)): 'order' shuffles, 'dropout' is the model's dropout; an objective's
 * own randomness (MLM's masks) forks from `rng` by name.
 *
 * Micro-batches (`microBatches` M > 1): the batch is cut into M equal parts, built (masked) in order
 * on this thread; part k's dropout is 'dropout/<step>/<k>' and the step's gradient is the
 * token-weighted sum of the parts' gradients, so `workers` threads (pretrain-team.ts) can compute
 * the parts in parallel and the weights do not depend on the number of threads.
 *
 * Checkpoints (`checkpoint: { dir, every }`, pretrain-checkpoint.ts): after every `every` steps and
 * after the last, the weights, the optimiser's moments, the order and cursor, and the position of
 * every stream ('order', 'dropout' and the objective's `streams`) go to `dir`; a run started with a
 * `dir` that holds a checkpoint continues from it after checking its settings, and ends with the
 * same weights and history as a run that never stopped.
 */
import { configToJson, type Model } from '../model/index.js';
import { Rng, tensorCount, tf } from '../tensor/index.js';
import { AdamW } from './optim.js';
import { hasCheckpoint, readCheckpoint, writeCheckpoint, type CheckpointSettings, type PretrainCheckpointing } from './pretrain-checkpoint.js';
import { GradientTeam, microGradients, readWeights, type MicroResult, type PretrainKind } from './pretrain-team.js';
import { createProgress, type ProgressMode } from './progress.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupRatio: number;
  clipNorm: number;
  seed: number;
  evalEvery: number;
  progress: ProgressMode;
  /** Equal parts each batch is cut into (default 1). */
  microBatches?: number;
  /** Threads computing the parts, this one included (default 1, at most `microBatches`). */
  workers?: number;
  onStep?: (info: { step: number; loss: number; tensors: number }) => void;
  /** Write a checkpoint to `dir` every `every` steps and after the last; resume from it when `dir` holds one. */
  checkpoint?: PretrainCheckpointing;
}

export interface PretrainObjective<B extends { labels: Int32Array }, E> {
  /** 'MLM pre-training', in messages. */
  name: string;
  /** The loss a helper thread computes (pretrain-worker.ts). */
  kind: PretrainKind;
  /** The root stream's name. */
  stream: string;
  /** Parameter names without weight decay (biases, LayerNorms). */
  noDecay: RegExp;
  /** The step's batch from its blocks. */
  batch(blocks: Int32Array[]): B;
  /** The batch's mean loss over its `labels`, inside the gradient scope. */
  loss(batch: B, dropout: Rng): tf.Scalar;
  /** Held-out evaluation after `step`, and its progress line. */
  evaluate(step: number): E;
  describe(record: E): string;
  onEval?: (record: E) => void;
  /** The objective's own streams that advance from step to step (checkpointed by name). */
  streams?: Record<string, Rng>;
  /** The objective's own settings a resumed run must share (e.g. the masking probability). */
  settings?: CheckpointSettings;
}

export interface PretrainRun<E> {
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  history: E[];
  final: E;
  trainBlocks: number;
  trainTokens: number;
}

export async function pretrainLoop<B extends { labels: Int32Array }, E>(model: Model, train: Int32Array[], o: PretrainSettings, objective: PretrainObjective<B, E>): Promise<PretrainRun<E>> {
  if (train.length < o.batchSize) throw new Error(`${objective.name}: ${train.length} training blocks, fewer than one batch of ${o.batchSize}`);
  const M = o.microBatches ?? 1, W = o.workers ?? 1;
  if (!Number.isInteger(M) || M < 1 || o.batchSize % M !== 0) throw new Error(`${objective.name}: microBatches must be an integer ≥ 1 dividing the batch size ${o.batchSize}, got ${M}`);
  if (!Number.isInteger(W) || W < 1 || W > M) throw new Error(`${objective.name}: workers must be an integer from 1 to microBatches (${M}), got ${W}`);
  const L = train[0].length;
  for (const name of model.params.names()) model.params.setTrainable(name, true);
  const vars = [...model.params.trainable()];
  const optim = new AdamW(vars.map(([name, variable]) => ({ variable, decay: !objective.noDecay.test(name) })), { weightDecay: o.weightDecay, beta2: 0.98, eps: 1e-6 });
  const rng = new Rng(o.seed, objective.stream);
  const order = rng.fork('order');
  const dropoutRng = rng.fork('dropout');
  const history: E[] = [];
  const warm = warmupSteps(o.steps, o.warmupRatio);
  let team: GradientTeam | null = null;
  let perm = order.permutation(train.length);
  let cursor = 0;
  let first = 1, secondsBefore = 0;
  const streams: Record<string, Rng> = { order, dropout: dropoutRng, ...objective.streams };
  const settings: CheckpointSettings = {
    kind: objective.kind, steps: o.steps, batchSize: o.batchSize, lr: o.lr, weightDecay: o.weightDecay, warmupRatio: o.warmupRatio, clipNorm: o.clipNorm,
    seed: o.seed, evalEvery: o.evalEvery, microBatches: M, trainBlocks: train.length, blockLength: L, ...objective.settings,
  };
  const ck = o.checkpoint;
  if (ck && !(Number.isInteger(ck.every) && ck.every >= 1)) throw new Error(`${objective.name}: checkpoint.every must be an integer ≥ 1, got ${ck.every}`);
  if (ck && hasCheckpoint(ck.dir)) {
    const c = await readCheckpoint<E>(ck.dir, settings, new Map(vars.map(([name, v]) => [name, v.shape])));
    tf.tidy(() => vars.forEach(([name, v]) => v.assign(tf.tensor(c.params.get(name)!.data, v.shape))));
    optim.setState(c.optimiser);
    for (const [name, r] of Object.entries(streams)) {
      if (!c.streams[name]) throw new Error(`${ck.dir}: the checkpoint has no position for stream '${name}'`);
      r.setState(c.streams[name]);
    }
    perm = c.perm;
    cursor = c.cursor;
    history.push(...c.history);
    first = c.step + 1;
    secondsBefore = c.seconds;
  }
  let progress: ReturnType<typeof createProgress> | null = null;
  try {
    if (W > 1) {
      team = await GradientTeam.start(W - 1, {
        backend: tf.getBackend(), config: configToJson(model.config), kind: objective.kind, names: vars.map(([n]) => n), seed: o.seed, stream: objective.stream,
      });
    }
    const variables = vars.map(([, v]) => v);
    /** The clipped AdamW step on `grads` (squared norm `sq`), inside the caller's tidy; non-finite: an error naming the step. */
    const applyStep = (grads: tf.NamedTensorMap, lossValue: number, sq: number, step: number, lr: number): number => {
      const norm = Math.sqrt(sq);
      if (!Number.isFinite(lossValue) || !Number.isFinite(norm)) {
        throw new Error(`${objective.name} diverged at step ${step} (loss ${lossValue}, gradient norm ${norm}); lower lr (now ${o.lr}) or check the data`);
      }
      optim.step(grads, lr, o.clipNorm > 0 && norm > o.clipNorm ? o.clipNorm / norm : 1);
      return lossValue;
    };
    /** One step from M parts: the helpers' parts posted first, this thread's computed meanwhile. */
    const microStep = async (parts: B[], step: number, lr: number): Promise<number> => {
      const weights = team ? readWeights(variables) : [];
      const pending = team
        ? Array.from({ length: team.size }, (_, j) =>
            team!.post(j, { step, weights, items: parts.flatMap((batch, k) => (k % W === j + 1 ? [{ k, batch }] : [])) }))
        : [];
      const local: MicroResult[] = [];
      parts.forEach((batch, k) => {
        if (k % W === 0) local.push(microGradients(variables, k, () => objective.loss(batch, dropoutRng.fork(`${step}/${k}`))));
      });
      const results = [...local, ...(await Promise.all(pending)).flat()].sort((a, b) => a.k - b.k);
      const N = parts.reduce((n, p) => n + p.labels.length, 0);
      return tf.tidy(() => {
        let lossValue = 0;
        const sums: tf.Tensor[] = variables.map((v) => tf.zeros(v.shape));
        for (const r of results) {
          const w = parts[r.k].labels.length / N;
          lossValue += w * r.loss;
          r.grads.forEach((g, i) => { sums[i] = tf.add(sums[i], tf.mul(tf.tensor(g, variables[i].shape), w)); });
        }
        const sq = tf.addN(sums.map((g) => tf.sum(tf.square(g)))).dataSync()[0];
        return applyStep(Object.fromEntries(variables.map((v, i) => [v.name, sums[i]])), lossValue, sq, step, lr);
      });
    };
    progress = createProgress(o.steps, o.progress, process.stderr, 10, first - 1);
    if (first > 1) progress.log(`${objective.name}: resumed from ${ck!.dir} after step ${first - 1} of ${o.steps}`);
    const t0 = performance.now();
    const seconds = () => secondsBefore + (performance.now() - t0) / 1000;
    for (let step = first; step <= o.steps; step++) {
      if (cursor + o.batchSize > perm.length) {
        perm = order.permutation(train.length);
        cursor = 0;
      }
      const blocks = Array.from(perm.subarray(cursor, cursor + o.batchSize), (i) => train[i]);
      cursor += o.batchSize;
      const lr = linearWarmupDecay(step, o.steps, warm, o.lr);
      let loss: number;
      if (M === 1) {
        const batch = objective.batch(blocks);
        loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => objective.loss(batch, dropoutRng), variables);
          const sq = tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))));
          const [lossValue, sqValue] = tf.stack([value, sq]).dataSync();
          return applyStep(grads, lossValue, sqValue, step, lr);
        });
      } else {
        const size = o.batchSize / M;
        loss = await microStep(Array.from({ length: M }, (_, k) => objective.batch(blocks.slice(k * size, (k + 1) * size))), step, lr);
      }
      progress.update({ step, total: o.steps, epoch: Math.floor(((step - 1) * o.batchSize) / train.length) + 1, loss, lr, tokensPerSecond: ((step - first + 1) * o.batchSize * L) / ((performance.now() - t0) / 1000) });
      o.onStep?.({ step, loss, tensors: tensorCount() });
      if ((o.evalEvery > 0 && step % o.evalEvery === 0) || step === o.steps) {
        const rec = objective.evaluate(step);
        history.push(rec);
        progress.log(`step ${step}: ${objective.describe(rec)}`);
        objective.onEval?.(rec);
      }
      if (ck && (step % ck.every === 0 || step === o.steps)) {
        await writeCheckpoint(ck.dir, {
          settings, step, cursor, perm, optimiser: optim.getState(), history, seconds: seconds(),
          streams: Object.fromEntries(Object.entries(streams).map(([name, r]) => [name, r.getState()])),
          params: new Map(vars.map(([name, v]) => [name, { shape: v.shape, data: v.dataSync() as Float32Array }])),
        });
      }
    }
    const total = seconds();
    return { steps: o.steps, seconds: total, tokensPerSecond: (o.steps * o.batchSize * L) / total, history, final: history[history.length - 1], trainBlocks: train.length, trainTokens: train.length * L };
  } finally {
    progress?.stop();
    await team?.close();
    optim.dispose();
    for (const [name] of vars) model.params.setTrainable(name, false);
  }
}
