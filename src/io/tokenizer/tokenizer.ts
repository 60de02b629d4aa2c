/**
 * The one Tokenizer implementation: a pipeline of components, as in Hugging Face `tokenizers`.
 *
 *   encode:  added tokens (raw) → normalizer → added tokens (normalized) → pre-tokenizer → model
 *            → truncation → post-processor (special tokens, type ids) → padding (batches)
 *   decode:  ids → tokens (optionally without specials) → decoder → optional clean-up
 *
 * GPT-2, RoBERTa and BERT differ only in which components they are built from (see build.ts).
 */
import { AddedTokenMatcher } from './added-tokens.js';
import { cleanUpTokenization } from './decoders.js';
import { messages, TokenizerError } from './errors.js';
import { saveTokenizer } from './save.js';
import { padRows, resolvePadding, resolveTruncation, truncateIds, type Truncation } from './truncate.js';
import type {
  AddedToken,
  BatchEncoding,
  DecodeOptions,
  Decoder,
  EncodeBatchOptions,
  EncodeOptions,
  Encoding,
  Model,
  Normalizer,
  PostProcessor,
  PreTokenizer,
  SaveOptions,
  SpecialTokenRoles,
  Tokenizer,
} from './types.js';

export interface TokenizerParts {
  model: Model;
  normalizer?: Normalizer;
  preTokenizer?: PreTokenizer;
  postProcessor: PostProcessor;
  decoder: Decoder;
  /** Tokens matched whole before normalization; roles' tokens should be among them. */
  addedTokens: AddedToken[];
  roles: SpecialTokenRoles;
  /** Infinity when unknown. */
  modelMaxLength?: number;
  /** Default for `decode`'s `cleanUpTokenizationSpaces`. */
  cleanUpTokenizationSpaces?: boolean;
}

export class PipelineTokenizer implements Tokenizer {
  readonly kind: Tokenizer['kind'];
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  readonly specialTokens: Readonly<SpecialTokenRoles>;
  readonly specialIds: ReadonlySet<number>;
  readonly parts: Readonly<TokenizerParts>;
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normMatcher: AddedTokenMatcher;
  private readonly added = new Map<string, number>();
  private readonly addedById = new Map<number, string>();

  constructor(parts: TokenizerParts) {
    this.parts = parts;
    this.kind = parts.model.kind;
    this.modelMaxLength = parts.modelMaxLength ?? Infinity;
    this.specialTokens = Object.freeze({ ...parts.roles });
    let size = parts.model.size;
    const special = new Set<number>();
    for (const t of parts.addedTokens) {
      this.added.set(t.content, t.id);
      this.addedById.set(t.id, t.content);
      if (t.id + 1 > size) size = t.id + 1;
      if (t.special) special.add(t.id);
    }
    for (const tok of Object.values(parts.roles)) {
      const id = tok === undefined ? undefined : this.tokenToId(tok);
      if (id !== undefined) special.add(id);
    }
    this.vocabSize = size;
    this.specialIds = special;
    this.rawMatcher = new AddedTokenMatcher(parts.addedTokens.filter((t) => !t.normalized));
    const norm = parts.normalizer;
    this.normMatcher = new AddedTokenMatcher(
      parts.addedTokens.filter((t) => t.normalized).map((t) => ({ ...t, match: norm ? norm.normalize(t.content) : t.content })),
    );
  }

  private role(r: keyof SpecialTokenRoles): number | undefined {
    const t = this.specialTokens[r];
    return t === undefined ? undefined : this.tokenToId(t);
  }

  get padId(): number {
    return this.role('pad') ?? this.role('eos') ?? 0;
  }
  get maskId(): number | undefined {
    return this.role('mask');
  }
  get unkId(): number | undefined {
    return this.role('unk');
  }
  get clsId(): number | undefined {
    return this.role('cls') ?? this.role('bos');
  }
  get bosId(): number | undefined {
    return this.role('bos') ?? this.role('cls');
  }
  get sepId(): number | undefined {
    return this.role('sep') ?? this.role('eos');
  }
  get eosId(): number | undefined {
    return this.role('eos') ?? this.role('sep');
  }

  tokenToId(token: string): number | undefined {
    return this.added.get(token) ?? this.parts.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id) ?? this.parts.model.idToToken(id);
  }

  numSpecialTokens(pair: boolean): number {
    return this.parts.postProcessor.added(pair);
  }

  /** Content ids of one text, without special tokens. */
  private contentIds(text: string): number[] {
    const { normalizer, preTokenizer, model } = this.parts;
    const out: number[] = [];
    for (const seg of this.rawMatcher.split(text)) {
      if (seg.id !== undefined) {
        out.push(seg.id);
        continue;
      }
      const norm = normalizer ? normalizer.normalize(seg.text) : seg.text;
      for (const s of this.normMatcher.split(norm)) {
        if (s.id !== undefined) {
          out.push(s.id);
          continue;
        }
        const words = preTokenizer ? preTokenizer.preTokenize([s.text]) : [s.text];
        for (const w of words) {
          if (!w) continue;
          const ids = model.tokenize(w);
          for (let i = 0; i < ids.length; i++) out.push(ids[i]);
        }
      }
    }
    return out;
  }

  tokenize(text: string): string[] {
    return this.contentIds(text).map((id) => this.idToToken(id)!);
  }

  private encodeRow(
    text: string,
    pair: string | undefined,
    addSpecial: boolean,
    truncation: Truncation | undefined,
    maxLength: number | undefined,
  ): Encoding {
    let a = this.contentIds(text);
    let b = pair === undefined ? undefined : this.contentIds(pair);
    if (truncation && maxLength !== undefined && Number.isFinite(maxLength)) {
      const special = addSpecial ? this.numSpecialTokens(b !== undefined) : 0;
      const limit = maxLength - special;
      if (limit < 0) throw new TokenizerError(messages.maxLengthTooSmall(maxLength, special));
      [a, b] = truncateIds(a, b, limit, truncation);
    }
    const { ids, typeIds } = this.parts.postProcessor.process(a, b, addSpecial);
    return { ids, tokenTypeIds: typeIds, attentionMask: new Array<number>(ids.length).fill(1) };
  }

  private defaultMaxLength(o: EncodeOptions): number | undefined {
    if (o.maxLength !== undefined) {
      if (!Number.isInteger(o.maxLength) || o.maxLength < 0) {
        throw new TokenizerError(messages.badOption('maxLength', o.maxLength, 'a non-negative integer'));
      }
      return o.maxLength;
    }
    return Number.isFinite(this.modelMaxLength) ? this.modelMaxLength : undefined;
  }

  encode(text: string, pair?: string, options: EncodeOptions = {}): Encoding {
    return this.encodeRow(
      text,
      pair,
      options.addSpecialTokens ?? true,
      resolveTruncation(options.truncation),
      this.defaultMaxLength(options),
    );
  }

  encodeBatch(inputs: ReadonlyArray<string | readonly [string, string]>, options: EncodeBatchOptions = {}): BatchEncoding {
    const truncation = resolveTruncation(options.truncation);
    const padding = resolvePadding(options.padding);
    const maxLength = this.defaultMaxLength(options);
    const add = options.addSpecialTokens ?? true;
    const rows = inputs.map((inp) => {
      const [a, b] = typeof inp === 'string' ? [inp, undefined] : inp;
      const e = this.encodeRow(a, b, add, truncation, maxLength);
      return { ids: e.ids, typeIds: e.tokenTypeIds, mask: e.attentionMask };
    });
    if (padding) {
      let target: number;
      if (padding === 'longest') target = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
      else if (maxLength === undefined) throw new TokenizerError(messages.paddingNeedsMaxLength());
      else target = maxLength;
      padRows(rows, target, this.padId);
    }
    return {
      inputIds: rows.map((r) => r.ids),
      attentionMask: rows.map((r) => r.mask),
      tokenTypeIds: rows.map((r) => r.typeIds),
    };
  }

  /** Ids with no token (beyond the vocabulary) are skipped, as Hugging Face does. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const id of ids) {
      if (skip && this.specialIds.has(id)) continue;
      const t = this.idToToken(id);
      if (t !== undefined) tokens.push(t);
    }
    const text = this.parts.decoder.decode(tokens);
    const cleanUp = options.cleanUpTokenizationSpaces ?? this.parts.cleanUpTokenizationSpaces ?? false;
    return cleanUp ? cleanUpTokenization(text) : text;
  }

  save(dir: string, options: SaveOptions = {}): void {
    saveTokenizer(this, dir, options);
  }
}
