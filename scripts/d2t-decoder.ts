/**
 * What the generation diagnostics share: the tensor backend, a decoder with its LM head and tokenizer
 * from `dir` (default models/tiny-gpt2, or $MODEL when the script reads it), and the built-in brown-d2t task.
 */
import { getAnyTask, initBackend, isGenerationTask, loadModel, loadTokenizer } from '../src/internal.js';

export const DEFAULT_DECODER = new URL('../models/tiny-gpt2', import.meta.url).pathname;

export async function loadDecoderAndD2t(dir: string) {
  await initBackend();
  const model = await loadModel(dir, { withHead: 'lm' });
  const tok = loadTokenizer(dir);
  const task = getAnyTask('brown-d2t');
  if (!isGenerationTask(task)) throw new Error('brown-d2t is not registered as a generation task');
  return { model, tok, task };
}
