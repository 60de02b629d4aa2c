/**
 * Data-parallel pre-training over worker threads, with exact gradient averaging.
 *
 * A step's batch is cut into `microBatches` fixed micro-batches. Micro-batch k's gradient is the
 * gradient of its mean loss with dropout stream `dropout/<step>/<k>`, computed on the current
 * weights; the step's gradient is Σ_k (n_k / N)·g_k, summed in k order, where n_k counts k's target
 * tokens and N all of them. That is the gradient of the whole batch's mean loss, and it does not
 * depend on which thread computed which micro-batch: the same seed gives the same weights with 1
 * thread or several.
 *
 *   leader (the caller's thread)                    thread j = 1 … W−1 (pretrain-worker.ts)
 *   weights → post {step, weights, micro-batches k ≡ j (mod W)} ─→ set weights; for each k: g_k, loss_k
 *   its own micro-batches k ≡ 0 (mod W)                          ←─ {k, loss_k, g_k} (buffers transferred)
 *   Σ_k (n_k/N)·g_k in k order → the optimiser step (leader only)
 *
 * Each thread has its own single-threaded TF.js engine on the leader's backend; a thread that fails
 * fails the run with its error.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleThread } from '../base/thread.js';
import { tf } from '../tensor/index.js';

/** The objectives a thread can compute (pretrain-worker.ts holds their losses). */
export type PretrainKind = 'mlm' | 'clm';

/** What a thread needs to build its replica and its streams. */
export interface TeamInit {
  backend: string;
  /** The model's config.json content (configToJson). */
  config: Record<string, unknown>;
  kind: PretrainKind;
  /** Trainable parameter names, in the order weights and gradients travel. */
  names: string[];
  seed: number;
  /** The objective's root stream ('mlm', 'clm'); dropout is `<stream>/dropout/<step>/<k>`. */
  stream: string;
}

export interface MicroResult {
  k: number;
  loss: number;
  grads: Float32Array[];
}

export interface TeamRequest {
  step: number;
  weights: Float32Array[];
  items: { k: number; batch: unknown }[];
}

type TeamAnswer = { ok: true; results: MicroResult[] } | { ok: false; error: string };

/** The W − 1 helper threads of a data-parallel run. */
export class GradientTeam {
  private constructor(private readonly threads: Worker[]) {}

  static async start(helpers: number, init: TeamInit): Promise<GradientTeam> {
    const threads = Array.from({ length: helpers }, () => spawnModuleThread(import.meta.url, 'pretrain-worker', { workerData: init }));
    const team = new GradientTeam(threads);
    try {
      await Promise.all(threads.map((t) => once(t)));
    } catch (e) {
      await team.close();
      throw e;
    }
    return team;
  }

  get size(): number {
    return this.threads.length;
  }

  /** Posts thread j's micro-batches; resolve the answers with the returned promise. */
  post(j: number, request: TeamRequest): Promise<MicroResult[]> {
    const t = this.threads[j];
    const answer = once(t) as Promise<MicroResult[]>;
    t.postMessage(request);
    return answer;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/** The thread's next answer (its ready signal or its results), or its error. */
function once(t: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      t.off('message', onMessage);
      t.off('error', onError);
      t.off('exit', onExit);
    };
    const onMessage = (m: TeamAnswer | { ready: true }) => {
      cleanup();
      if ('ready' in m) resolve(null);
      else if (m.ok) resolve(m.results);
      else reject(new Error(`data-parallel pre-training thread: ${m.error}`));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new Error(`data-parallel pre-training thread failed: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`data-parallel pre-training thread exited (code ${code}) before answering`));
    };
    t.on('message', onMessage);
    t.on('error', onError);
    t.on('exit', onExit);
  });
}

/**
 * Micro-batch k's mean loss and its gradients, copied out of the engine. (The arrays are filled
 * inside `tf.tidy` but not returned from it: tidy walks what it returns, element by element.)
 */
export function microGradients(vars: readonly tf.Variable[], k: number, loss: () => tf.Scalar): MicroResult {
  const out: MicroResult = { k, loss: NaN, grads: [] };
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, vars as tf.Variable[]);
    out.loss = value.dataSync()[0];
    out.grads = vars.map((v) => Float32Array.from(grads[v.name].dataSync() as Float32Array));
  });
  return out;
}

/** The current values of `vars`, copied out of the engine. */
export function readWeights(vars: readonly tf.Variable[]): Float32Array[] {
  return vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
}
