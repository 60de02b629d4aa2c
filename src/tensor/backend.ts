/**
 * Backend choice for the TF.js engine.
 *
 * Order of preference: `tensorflow` (the optional `@tensorflow/tfjs-node`, native libtensorflow),
 * then `wasm` (`@tensorflow/tfjs-backend-wasm`, single-threaded SIMD), then `cpu` (pure JS).
 * `--backend` on the CLI or the `GRASP_HIL_BACKEND` environment variable forces one.
 * Correctness never depends on the backend: every random draw is made in JS from seeded streams
 * (see rng.ts), so only floating-point rounding differs between backends.
 */
import { createRequire } from 'node:module';
import { Registry } from '../base/registry.js';
import { tf } from './engine.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A backend the engine can run on: how to start it (null, or why it cannot), and the names users may give it. */
interface BackendEntry {
  name: BackendName;
  aliases: readonly string[];
  /** Starts the backend; null when it runs, else why not. */
  activate(): Promise<string | null>;
}

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

/** The backends, in the order 'auto' tries them. */
const backends = new Registry<BackendEntry>('backend', 'backends');
const addBackend = (name: BackendName, aliases: readonly string[] = []) => backends.add(name, { name, aliases, activate: () => activate(name) });
addBackend('tensorflow', ['node', 'tfjs-node']);
addBackend('wasm');
addBackend('cpu');

/** The backends' names, in the order 'auto' tries them. */
export const BACKEND_NAMES: readonly BackendName[] = backends.names() as BackendName[];

/** Parses a backend name given by a user; throws a message naming the accepted values. */
export function parseBackendName(value: string, source: string): BackendName | 'auto' {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === '') return 'auto';
  const entry = backends.find(v) ?? backends.values().find((b) => b.aliases.includes(v));
  if (entry) return entry.name;
  const aliases = backends.values().filter((b) => b.aliases.length).map((b) => `${b.name} (alias ${b.aliases.join(', ')})`);
  throw new Error(`${backends.unknownMessage(value, source)} — or auto (the first that starts, in that order); ${aliases.join('; ')}`);
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
  const order: BackendEntry[] = requested === 'auto' ? backends.values() : [backends.get(requested)];
  for (const { name, activate: start } of order) {
    const why = await start();
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
