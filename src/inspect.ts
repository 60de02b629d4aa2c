/**
 * `inspect`: a checkpoint's last_hidden_state for explicit token ids, for porting checks; with an
 * adapter folder (grasp-hil's or one PEFT wrote), the hidden state with the adapter applied
 * (unmerged, in eval mode; head tensors in the adapter are skipped, as the bare model has no head).
 */
import { loadModel } from './io/index.js';
import { loadAdapter, type LoadedAdapter } from './peft/index.js';
import { tf } from './tensor/index.js';

export interface InspectResult {
  architecture: string;
  shape: [number, number, number];
  lastHiddenState: number[][][];
  /** The adapter applied: method, where its options came from, Sites. */
  adapter?: { method: string; source: LoadedAdapter['source']; sites: number };
}

export interface InspectOptions {
  /** Adapter folder to apply. */
  adapter?: string;
  /** Apply an adapter made for another base model. */
  allowBaseMismatch?: boolean;
  onWarning?: (message: string) => void;
}

/** Parses "0,5,2;0,7" into rows of integers; names the flag and the bad token on error. */
export function parseIdRows(text: string, flag: string): number[][] {
  const rows = text.split(';').map((r) => r.trim()).filter((r) => r.length > 0);
  if (rows.length === 0) throw new Error(`${flag}: no token ids given (expected e.g. 0,31414,2;0,5,2)`);
  return rows.map((r, i) =>
    r.split(',').map((tok) => {
      const v = Number(tok.trim());
      if (tok.trim() === '' || !Number.isInteger(v)) throw new Error(`${flag}: row ${i}: '${tok}' is not an integer token id`);
      return v;
    }),
  );
}

/**
 * Loads the model at `dir` (no head) and runs it on `rows`; shorter rows are right-padded with the
 * config's pad id (0 when it has none) and masked out, as a Hugging Face tokenizer's padding would.
 */
export async function inspectModel(dir: string, rows: number[][], options: InspectOptions = {}): Promise<InspectResult> {
  const model = await loadModel(dir, { withHead: 'none' });
  let loaded: LoadedAdapter | null = null;
  try {
    if (options.adapter) {
      loaded = await loadAdapter(options.adapter, model, { baseModel: dir, allowBaseMismatch: options.allowBaseMismatch, onWarning: options.onWarning });
      loaded.adapter.setMode({ kind: 'eval' });
    }
    const seq = Math.max(...rows.map((r) => r.length));
    const pad = model.config.padTokenId ?? 0;
    const ids = rows.flatMap((r) => [...r, ...new Array(seq - r.length).fill(pad)]);
    const mask = rows.flatMap((r) => [...new Array(r.length).fill(1), ...new Array(seq - r.length).fill(0)]);
    const padded = rows.some((r) => r.length < seq);
    const out = tf.tidy(() =>
      model.forward({
        inputIds: tf.tensor2d(ids, [rows.length, seq], 'int32'),
        attentionMask: padded ? tf.tensor2d(mask, [rows.length, seq], 'float32') : undefined,
      }),
    );
    const values = out.arraySync() as number[][][];
    const shape = out.shape as [number, number, number];
    out.dispose();
    const adapter = loaded ? { method: loaded.adapter.method, source: loaded.source, sites: loaded.adapter.sites.length } : undefined;
    return { architecture: model.config.architecture, shape, lastHiddenState: values, ...(adapter ? { adapter } : {}) };
  } finally {
    loaded?.adapter.detach();
    model.dispose();
  }
}
