/** `inspect`: a checkpoint's last_hidden_state for explicit token ids, for porting checks. */
import { loadModel } from './io/index.js';
import { tf } from './tensor/index.js';

export interface InspectResult {
  architecture: string;
  shape: [number, number, number];
  lastHiddenState: number[][][];
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
export async function inspectModel(dir: string, rows: number[][]): Promise<InspectResult> {
  const model = await loadModel(dir, { withHead: 'none' });
  try {
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
    return { architecture: model.config.architecture, shape, lastHiddenState: values };
  } finally {
    model.dispose();
  }
}
