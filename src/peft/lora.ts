/**
 * LoRA (Hu et al. 2021): y = x·W + b + s·dropout(x)·A·B with A [in, r], B [r, out] and scaling
 * s = α/r, or α/√r with rsLoRA (Kalajdzievski 2023, PEFT's use_rslora). r and α may differ per Site
 * (PEFT's rank_pattern / alpha_pattern, matched as peft-layout.ts `patternValue` does).
 * A starts as PEFT initialises lora_A (kaiming-uniform with a = √5: U(−1/√in, 1/√in)), B at zero,
 * so the adapted model starts as the base model. Default targets: query and value.
 *
 * Merge: W' = W + s·A·B. Saved as PEFT does: `<site>.lora_A.weight` [r, in] and
 * `<site>.lora_B.weight` [out, r] (nn.Linear orientation, also for GPT-2's Conv1D Sites, where PEFT
 * sets fan_in_fan_out). Adapters written by PEFT load through `fromPeft` (no grasp-hil block needed).
 */
import type { Site, Transformer } from '../model/index.js';
import { dropoutMaskTensor, linear, Rng, tf, tidyRead } from '../tensor/index.js';
import { registerMethod, type Adapter, type AdapterMode, type MergedWeights, type NamedTensors, type TrainableVariable } from './adapter.js';
import { OptionReader } from './options.js';
import { patternValue } from './peft-layout.js';
import { selectSites } from './sites.js';
import { checkState, newVariable, siteWeights } from './tensors.js';

export interface LoraOptions {
  rank: number;
  alpha: number;
  dropout: number;
  sites: string;
  /** Scale by α/√r instead of α/r. */
  rslora: boolean;
  /** Rank by Site pattern (PEFT's rank_pattern). */
  rankPattern: Record<string, number>;
  /** α by Site pattern (PEFT's alpha_pattern). */
  alphaPattern: Record<string, number>;
}

const DOCS = {
  rank: 'rank r ≥ 1; default 8',
  alpha: 'scaling numerator α (update scaled by α/r); default 16',
  dropout: 'dropout on the LoRA branch input, in [0, 1); default 0.1',
  sites: 'Site selector; default qv (query and value)',
  rslora: 'scale by α/√r (rank-stabilised LoRA, PEFT use_rslora); default false',
  rankPattern: "rank by Site pattern, e.g. {\"value\": 4} (PEFT rank_pattern); default {}",
  alphaPattern: 'α by Site pattern (PEFT alpha_pattern); default {}',
};

/** r and scaling of one Site. */
function siteScale(o: LoraOptions, site: string): { rank: number; scaling: number } {
  const rank = patternValue(o.rankPattern, site, o.rank);
  const alpha = patternValue(o.alphaPattern, site, o.alpha);
  return { rank, scaling: o.rslora ? alpha / Math.sqrt(rank) : alpha / rank };
}

interface LoraSite {
  site: Site;
  scaling: number;
  a: tf.Variable;
  b: tf.Variable;
  detach: () => void;
}

class LoraAdapter implements Adapter {
  readonly method = 'lora';
  readonly sites: readonly string[];
  private readonly parts: LoraSite[];
  private rng: Rng | null = null;

  constructor(model: Transformer, readonly opts: LoraOptions, rng: Rng) {
    const chosen = selectSites(model.sites.values(), opts.sites, 'lora');
    this.sites = chosen.map((s) => s.name);
    this.parts = chosen.map((site) => {
      const { rank: r, scaling } = siteScale(opts, site.name);
      const bound = 1 / Math.sqrt(site.inFeatures);
      const init = rng.fork(site.name).fillUniform(new Float32Array(site.inFeatures * r), -bound, bound);
      const a = newVariable(tf.tensor2d(init, [site.inFeatures, r]), `lora/${site.name}/A`);
      const b = newVariable(tf.zeros([r, site.outFeatures]), `lora/${site.name}/B`);
      const detach = site.attach('lora', (x, next) => {
        const y = next(x);
        let h = x;
        if (this.rng && opts.dropout > 0) {
          h = tf.mul(x, dropoutMaskTensor(x.shape, 1 - opts.dropout, this.rng.nextUint32()));
        }
        const delta = linear(linear(h, a as tf.Variable<tf.Rank.R2>), b as tf.Variable<tf.Rank.R2>);
        return tf.add(y, tf.mul(delta, scaling));
      });
      return { site, scaling, a, b, detach };
    });
  }

  /** The options, leaving out rsLoRA and the patterns when unused (so plain LoRA records read as before). */
  get options(): Record<string, unknown> {
    const { rslora, rankPattern, alphaPattern, ...rest } = this.opts;
    return {
      ...rest,
      ...(rslora ? { rslora } : {}),
      ...(Object.keys(rankPattern).length ? { rankPattern } : {}),
      ...(Object.keys(alphaPattern).length ? { alphaPattern } : {}),
    };
  }

  trainable(): TrainableVariable[] {
    return this.parts.flatMap((p) => [
      { key: `${p.site.name}.lora_A.weight`, variable: p.a, decay: true },
      { key: `${p.site.name}.lora_B.weight`, variable: p.b, decay: true },
    ]);
  }

  parameterCount(): number {
    return this.parts.reduce((n, p) => n + p.a.size + p.b.size, 0);
  }

  setMode(mode: AdapterMode): void {
    this.rng = mode.kind === 'train' ? mode.rng : null;
  }

  merge(): MergedWeights {
    const sites = new Map();
    for (const p of this.parts) {
      const w = siteWeights(p.site);
      const delta = tidyRead(() => tf.mul(tf.matMul(p.a as tf.Tensor2D, p.b as tf.Tensor2D), p.scaling));
      for (let i = 0; i < delta.length; i++) w.weight[i] += delta[i];
      sites.set(p.site.name, w);
    }
    return { sites, params: new Map() };
  }

  state(): NamedTensors {
    const out: NamedTensors = new Map();
    for (const p of this.parts) {
      const [din, r] = p.a.shape as number[], dout = (p.b.shape as number[])[1];
      out.set(`${p.site.name}.lora_A.weight`, { shape: [r, din], data: tidyRead(() => tf.transpose(p.a)) });
      out.set(`${p.site.name}.lora_B.weight`, { shape: [dout, r], data: tidyRead(() => tf.transpose(p.b)) });
    }
    return out;
  }

  loadState(tensors: NamedTensors, source: string): void {
    const expected = new Map<string, number[]>();
    for (const p of this.parts) {
      const [din, r] = p.a.shape as number[], dout = (p.b.shape as number[])[1];
      expected.set(`${p.site.name}.lora_A.weight`, [r, din]);
      expected.set(`${p.site.name}.lora_B.weight`, [dout, r]);
    }
    checkState(expected, tensors, source);
    for (const p of this.parts) {
      const a = tensors.get(`${p.site.name}.lora_A.weight`)!, b = tensors.get(`${p.site.name}.lora_B.weight`)!;
      tf.tidy(() => {
        p.a.assign(tf.transpose(tf.tensor2d(a.data, a.shape as [number, number])));
        p.b.assign(tf.transpose(tf.tensor2d(b.data, b.shape as [number, number])));
      });
    }
  }

  detach(): void {
    for (const p of this.parts) {
      p.detach();
      p.a.dispose();
      p.b.dispose();
    }
    this.parts.length = 0;
  }
}

export const lora = registerMethod<LoraOptions>({
  name: 'lora',
  peftType: 'LORA',
  summary: 'LoRA: low-rank update (α/r)·A·B on the selected Sites',
  optionDocs: DOCS,
  parseOptions(raw) {
    const r = new OptionReader('lora', raw, DOCS);
    const o: LoraOptions = {
      rank: r.int('rank', 8, 1),
      alpha: r.number('alpha', 16, 0),
      dropout: r.number('dropout', 0.1, 0, 0.999),
      sites: r.string('sites', 'qv'),
      rslora: r.bool('rslora', false),
      rankPattern: r.numberRecord('rankPattern', 1, true),
      alphaPattern: r.numberRecord('alphaPattern', 0),
    };
    r.finish();
    return o;
  },
  attach: (model, options, rng) => new LoraAdapter(model, options, rng.fork('lora')),
  peftFields: (o, adapter, layout) => ({
    r: o.rank, lora_alpha: o.alpha, lora_dropout: o.dropout, use_rslora: o.rslora,
    rank_pattern: o.rankPattern, alpha_pattern: o.alphaPattern,
    fan_in_fan_out: adapter.sites.some((n) => layout.conv1d(n)),
    bias: 'none', init_lora_weights: true, use_dora: false,
    layers_to_transform: null, layers_pattern: null,
  }),
  fromPeft(config, sites, read) {
    read.reject('bias', (v) => v !== undefined && v !== null && v !== 'none', "'none' (grasp-hil's LoRA trains no biases)");
    read.reject('use_dora', (v) => v === true, 'false (DoRA is not supported)');
    read.reject('lora_bias', (v) => v === true, 'false (LoRA biases are not supported)');
    const patterns = (field: string, integer: boolean): Record<string, number> => {
      const raw = read.record(field, integer);
      const out: Record<string, number> = {};
      for (const s of sites) {
        const v = patternValue(raw, s.path, NaN);
        if (!Number.isNaN(v)) out[s.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')] = v;
      }
      return out;
    };
    return {
      rank: read.int('r', 8, 1),
      alpha: read.number('lora_alpha', 8, 0),
      dropout: read.number('lora_dropout', 0, 0, 0.999),
      sites: sites.map((s) => s.name).join(','),
      rslora: read.bool('use_rslora', false),
      rankPattern: patterns('rank_pattern', true),
      alphaPattern: patterns('alpha_pattern', false),
    };
  },
  count(shape, o) {
    const sites = selectSites(shape.sites, o.sites, 'lora').map((s) => ({ site: s.name, params: siteScale(o, s.name).rank * (s.inFeatures + s.outFeatures) }));
    return { trainable: sites.reduce((n, s) => n + s.params, 0), sites };
  },
});
