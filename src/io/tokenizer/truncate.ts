/**
 * Truncation and padding, following Hugging Face `tokenizers` (utils/truncation.rs, the algorithm
 * fast tokenizers use): the length limit counts special tokens, so content is cut to
 * `maxLength - numSpecialTokens`; tokens are removed from the right.
 *
 * longest_first with a pair (lengths n1 ≤ n2 after ordering, limit m):
 *   keep n1 and cut the longer one to max(n1, m - n1); if that still does not fit, split m evenly,
 *   the longer text getting the odd token (m = 7, 4 + 4 → 3 + 4).
 */
import { messages, TokenizerError } from './errors.js';
import type { PaddingStrategy, TruncationStrategy } from './types.js';

export type Truncation = 'longest_first' | 'only_first' | 'only_second';

export function resolveTruncation(t: TruncationStrategy | undefined): Truncation | undefined {
  if (t === undefined || t === false) return undefined;
  if (t === true) return 'longest_first';
  if (t === 'longest_first' || t === 'only_first' || t === 'only_second') return t;
  throw new TokenizerError(messages.badOption('truncation', t, "true, false, 'longest_first', 'only_first' or 'only_second'"));
}

export function resolvePadding(p: PaddingStrategy | undefined): 'longest' | 'max_length' | undefined {
  if (p === undefined || p === false) return undefined;
  if (p === true || p === 'longest') return 'longest';
  if (p === 'max_length') return p;
  throw new TokenizerError(messages.badOption('padding', p, "true, false, 'longest' or 'max_length'"));
}

/**
 * Cuts content ids so that `a.length + (b?.length ?? 0) <= limit`.
 * @param limit content budget (maxLength minus special tokens), ≥ 0
 * @throws TokenizerError for only_first/only_second when the chosen text is too short to absorb the cut
 */
export function truncateIds(
  a: number[],
  b: number[] | undefined,
  limit: number,
  strategy: Truncation,
): [number[], number[] | undefined] {
  const total = a.length + (b?.length ?? 0);
  if (total <= limit) return [a, b];
  const remove = total - limit;
  if (strategy === 'longest_first') {
    if (!b) return [a.slice(0, limit), b];
    let n1 = a.length;
    let n2 = b.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > limit ? n1 : Math.max(n1, limit - n1);
    if (n1 + n2 > limit) {
      n1 = Math.floor(limit / 2);
      n2 = n1 + (limit % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    return [a.slice(0, n1), b.slice(0, n2)];
  }
  if (strategy === 'only_second' && !b) throw new TokenizerError(messages.truncationNeedsPair(strategy));
  const target = strategy === 'only_first' ? a : b!;
  if (target.length <= remove) throw new TokenizerError(messages.truncationTooShort(strategy, target.length, remove));
  const cut = target.slice(0, target.length - remove);
  return strategy === 'only_first' ? [cut, b] : [a, cut];
}

/** Pads every row on the right to `length` in place. */
export function padRows(
  rows: { ids: number[]; typeIds: number[]; mask: number[] }[],
  length: number,
  padId: number,
): void {
  for (const r of rows) {
    while (r.ids.length < length) {
      r.ids.push(padId);
      r.typeIds.push(0);
      r.mask.push(0);
    }
  }
}
