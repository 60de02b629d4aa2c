/**
 * Backend choice for the TF.js engine.
 *
 * Order of preference: `tensorflow` (the optional `@tensorflow/tfjs-node`, native libtensorflow),
 * then `wasm` (`@tensorflow/tfjs-backend-wasm`, single-threaded SIMD), then `cpu` (pure JS).
 * `--backend` on the CLI or the `GRASP_HIL_BACKEND` environment variable forces one.
 * Correctness never depends on the backend: every random draw is made in JS from seeded streams
 * (see rng.ts), so only floating-point rounding differs between backends.
 */
import { tf } from './engine.js';
import { createRequire } from 'node:module';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The active TF.js backend. */
  name: BackendName;
  /** Why it was chosen (forced by flag/env, or fallback chain with the reasons for skipping). */
  reason: string;
  /** Versions of the engine packages in use. */
  versions: Record<string, string>;
}

const require = createRequire(import.meta.url);
let current: BackendInfo | null = null;

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

async function tryTensorflow(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return null;
  } catch (e) {
    return `@tensorflow/tfjs-node is not installed or did not load (${(e as Error).message.split('\n')[0]})`;
  }
}

async function activate(name: BackendName): Promise<string | null> {
  if (name === 'tensorflow') {
    const why = await tryTensorflow();
    if (why) return why;
  }
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    // The cpu backend greets Node users with advice to install tfjs-node on first use; the choice
    // and its reason are reported by `doctor` instead.
    if (ok && name === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    return ok ? null : `tf.setBackend('${name}') returned false`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Parses a backend name given by a user; throws a message naming the accepted values. */
export function parseBackendName(value: string, source: string): BackendName | 'auto' {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === '') return 'auto';
  if (v === 'node' || v === 'tfjs-node') return 'tensorflow';
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new Error(`${source}: unknown backend '${value}'; expected one of auto, tensorflow (alias node), wasm, cpu`);
}

/**
 * Chooses and activates the backend. `preference` (CLI flag) wins over `GRASP_HIL_BACKEND`;
 * 'auto' walks tensorflow → wasm → cpu. A forced backend that cannot start is an error, not a
 * silent fallback. Idempotent for the same request.
 */
export async function initBackend(preference?: string): Promise<BackendInfo> {
  const requested = preference !== undefined
    ? parseBackendName(preference, '--backend')
    : process.env.GRASP_HIL_BACKEND
      ? parseBackendName(process.env.GRASP_HIL_BACKEND, 'GRASP_HIL_BACKEND')
      : 'auto';
  if (current && (requested === 'auto' || requested === current.name)) return current;
  // Multi-threaded wasm does not start under Node; parallelism comes from worker_threads.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const skipped: string[] = [];
  const order: BackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested];
  for (const name of order) {
    const why = await activate(name);
    if (why === null) {
      const versions: Record<string, string> = {};
      for (const p of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-node']) {
        const ver = packageVersion(p);
        if (ver) versions[p] = ver;
      }
      const reason = requested === 'auto'
        ? (skipped.length ? `auto: ${skipped.join('; ')}` : 'auto: first choice')
        : `forced by ${preference !== undefined ? '--backend' : 'GRASP_HIL_BACKEND'}`;
      current = { name, reason, versions };
      return current;
    }
    skipped.push(`${name} skipped: ${why}`);
    if (requested !== 'auto') throw new Error(`backend '${name}' could not start: ${why}`);
  }
  throw new Error(`no TF.js backend could start: ${skipped.join('; ')}`);
}

/** The active backend, or null before initBackend. */
export function backendInfo(): BackendInfo | null {
  return current;
}
