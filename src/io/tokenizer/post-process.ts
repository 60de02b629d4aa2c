/**
 * Post-processors decide where special tokens go and what token type each position gets:
 *   GPT-2    A            | A B               types 0… | 0… 1…
 *   RoBERTa  <s> A </s>   | <s> A </s></s> B </s>  all types 0
 *   BERT     [CLS] A [SEP] | [CLS] A [SEP] B [SEP]  types 0… | 0… 1…
 * and Hugging Face's general TemplateProcessing. All are one template class.
 */
import type { Json, PostProcessor, TemplatePiece } from './types.js';

export class TemplatePostProcessor implements PostProcessor {
  constructor(
    readonly single: readonly TemplatePiece[],
    readonly pair: readonly TemplatePiece[],
    readonly family: PostProcessor['family'],
    /** Type id of B when special tokens are not added (RoBERTa forces 0). */
    private readonly plainPairType: number,
    private readonly json: Json,
  ) {}

  added(pair: boolean): number {
    let n = 0;
    for (const p of pair ? this.pair : this.single) if (p.kind === 'special') n += p.ids.length;
    return n;
  }

  process(a: number[], b: number[] | undefined, addSpecialTokens: boolean): { ids: number[]; typeIds: number[] } {
    if (!addSpecialTokens) {
      const ids = b ? a.concat(b) : a.slice();
      const typeIds = new Array<number>(a.length).fill(0);
      if (b) for (let i = 0; i < b.length; i++) typeIds.push(this.plainPairType);
      return { ids, typeIds };
    }
    const ids: number[] = [];
    const typeIds: number[] = [];
    for (const p of b ? this.pair : this.single) {
      const src = p.kind === 'special' ? p.ids : p.seq === 'A' ? a : b!;
      for (const id of src) {
        ids.push(id);
        typeIds.push(p.typeId);
      }
    }
    return { ids, typeIds };
  }

  toJSON(): Json {
    return this.json;
  }
}

const seq = (s: 'A' | 'B', typeId: number): TemplatePiece => ({ kind: 'sequence', seq: s, typeId });
const sp = (token: string, id: number, typeId: number): TemplatePiece => ({ kind: 'special', token, ids: [id], typeId });

/**
 * No special tokens; the pair's second text has type 1. GPT-2's tokenizer.json names this a
 * ByteLevel post-processor (it only trims offsets); `json` is what tokenizer.json will say.
 */
export function plainProcessor(json: Json = null): TemplatePostProcessor {
  return new TemplatePostProcessor([seq('A', 0)], [seq('A', 0), seq('B', 1)], 'none', 1, json);
}

export function gpt2Processor(): TemplatePostProcessor {
  return plainProcessor({ type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true });
}

/** RoBERTa: `<s> A </s>` and `<s> A </s></s> B </s>`, every type id 0. */
export function robertaProcessor(cls: [string, number], sep: [string, number]): TemplatePostProcessor {
  const [c, ci] = cls;
  const [s, si] = sep;
  return new TemplatePostProcessor(
    [sp(c, ci, 0), seq('A', 0), sp(s, si, 0)],
    [sp(c, ci, 0), seq('A', 0), sp(s, si, 0), sp(s, si, 0), seq('B', 0), sp(s, si, 0)],
    'roberta',
    0,
    { type: 'RobertaProcessing', sep: [s, si], cls: [c, ci], trim_offsets: true, add_prefix_space: false },
  );
}

/** BERT: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, type 1 from B on. */
export function bertProcessor(cls: [string, number], sep: [string, number]): TemplatePostProcessor {
  const [c, ci] = cls;
  const [s, si] = sep;
  return new TemplatePostProcessor(
    [sp(c, ci, 0), seq('A', 0), sp(s, si, 0)],
    [sp(c, ci, 0), seq('A', 0), sp(s, si, 0), seq('B', 1), sp(s, si, 1)],
    'bert',
    1,
    { type: 'BertProcessing', sep: [s, si], cls: [c, ci] },
  );
}
