/**
 * Attaching a method by name: the one call the trainer and runner use. Parses the method's options
 * (its registry entry, adapter.ts) and, for any method, the option `trainableTokens`, which adds
 * trainable word-embedding rows beside the method (trainable-tokens.ts).
 */
import type { Transformer } from '../model/index.js';
import type { Rng } from '../tensor/index.js';
import { getMethod, type Adapter } from './adapter.js';
import { splitTokensOption, TOKENS_OPTION, withTokens } from './trainable-tokens.js';

export function attachMethod(model: Transformer, method: string, options: Readonly<Record<string, unknown>>, rng: Rng): Adapter {
  const def = getMethod(method);
  const { rest, tokens } = splitTokensOption(options, `${def.name}: option '${TOKENS_OPTION}'`);
  return withTokens(def.attach(model, def.parseOptions(rest), rng), model, tokens);
}
