/**
 * (IA)³ (Liu et al. 2022), as Hugging Face PEFT applies it: a learned vector l (init 1) scales
 * the output of the key and value Sites (y·l, bias included), and the input of the second
 * feed-forward Site (output.dense / GPT-2 mlp.c_proj: W(x·l)), i.e. the feed-forward intermediate
 * activation. GPT-2: c_attn's output (fused q, k, v) and mlp.c_proj's input.
 *
 * Merge: output scaling W' = W·diag(l), b' = b·l; input scaling W' = diag(l)·W.
 * Saved as PEFT does: `<site>.ia3_l`, shape [out, 1] (output scaling) or [1, in] (feed-forward), with
 * feedforward_modules as suffixes under PEFT's plain `endswith` (so PEFT's ['output.dense'] also makes
 * attention.output.dense feed-forward). Adapters written by PEFT load through `fromPeft`.
 */
import type { Site, Transformer } from '../model/index.js';
import { tf, toFloat32 } from '../tensor/index.js';
import { registerMethod, type Adapter, type AdapterMode, type MergedWeights, type NamedTensors, type TrainableVariable } from './adapter.js';
import { OptionReader } from './options.js';
import { matchesFeedforward } from './peft-layout.js';
import { selectSites } from './sites.js';
import { assignFrom, checkState, newVariable, siteWeights } from './tensors.js';

export interface Ia3Options {
  sites: string;
  /** Sites among `sites` whose input (not output) is scaled. */
  feedforward: string;
}

const DOCS = {
  sites: 'Site selector; default kvff2 (key, value, second feed-forward)',
  feedforward: 'Sites (within sites) scaled at their input; default ff2',
};

interface Ia3Site {
  site: Site;
  feedforward: boolean;
  l: tf.Variable;
  detach: () => void;
}

class Ia3Adapter implements Adapter {
  readonly method = 'ia3';
  readonly sites: readonly string[];
  private readonly parts: Ia3Site[];

  constructor(model: Transformer, readonly opts: Ia3Options) {
    const chosen = selectSites(model.sites.values(), opts.sites, 'ia3');
    const ff = new Set(selectSites(chosen, opts.feedforward, 'ia3 feedforward').map((s) => s.name));
    this.sites = chosen.map((s) => s.name);
    this.parts = chosen.map((site) => {
      const feedforward = ff.has(site.name);
      const l = newVariable(tf.ones([feedforward ? site.inFeatures : site.outFeatures]), `ia3/${site.name}`);
      // Feed-forward: the input scaling is folded into the Site's linear op (LinearOptions.pre), whose
      // hand-written gradient reduces over the batch with sumRows instead of wasm's slow axis-0 Sum.
      const detach = site.attach('ia3', feedforward ? (x, next) => next(x, { scale: l, shift: null }) : (x, next) => tf.mul(next(x), l));
      return { site, feedforward, l, detach };
    });
  }

  get options(): Record<string, unknown> {
    return { ...this.opts };
  }

  private key(p: Ia3Site): string {
    return `${p.site.name}.ia3_l`;
  }

  private diskShape(p: Ia3Site): number[] {
    return p.feedforward ? [1, p.l.size] : [p.l.size, 1];
  }

  feedforwardSites(): string[] {
    return this.parts.filter((p) => p.feedforward).map((p) => p.site.name);
  }

  trainable(): TrainableVariable[] {
    return this.parts.map((p) => ({ key: this.key(p), variable: p.l, decay: false }));
  }

  parameterCount(): number {
    return this.parts.reduce((n, p) => n + p.l.size, 0);
  }

  setMode(_mode: AdapterMode): void {}

  merge(): MergedWeights {
    const sites = new Map();
    for (const p of this.parts) {
      const w = siteWeights(p.site);
      const l = toFloat32(p.l);
      const dout = w.outFeatures;
      for (let i = 0; i < w.inFeatures; i++) {
        for (let j = 0; j < dout; j++) w.weight[i * dout + j] *= p.feedforward ? l[i] : l[j];
      }
      if (!p.feedforward && w.bias) for (let j = 0; j < dout; j++) w.bias[j] *= l[j];
      sites.set(p.site.name, w);
    }
    return { sites, params: new Map() };
  }

  state(): NamedTensors {
    return new Map(this.parts.map((p) => [this.key(p), { shape: this.diskShape(p), data: toFloat32(p.l).slice() }]));
  }

  loadState(tensors: NamedTensors, source: string): void {
    checkState(new Map(this.parts.map((p) => [this.key(p), this.diskShape(p)])), tensors, source);
    for (const p of this.parts) assignFrom(p.l, tensors.get(this.key(p))!);
  }

  detach(): void {
    for (const p of this.parts) {
      p.detach();
      p.l.dispose();
    }
    this.parts.length = 0;
  }
}

export const ia3 = registerMethod<Ia3Options>({
  name: 'ia3',
  peftType: 'IA3',
  summary: '(IA)³: learned scaling of key and value outputs and of the feed-forward intermediate activation',
  optionDocs: DOCS,
  parseOptions(raw) {
    const r = new OptionReader('ia3', raw, DOCS);
    const o = { sites: r.string('sites', 'kvff2'), feedforward: r.string('feedforward', 'ff2') };
    r.finish();
    return o;
  },
  attach: (model, o) => new Ia3Adapter(model, o),
  peftFields: (_o, adapter, layout) => ({
    feedforward_modules: layout.suffixes((adapter as Ia3Adapter).feedforwardSites(), adapter.sites, true),
    fan_in_fan_out: adapter.sites.some((n) => layout.conv1d(n)),
    init_ia3_weights: true,
  }),
  fromPeft(_config, sites, read) {
    const ff = read.modules('feedforward_modules') ?? [];
    const feedforward = sites.filter((s) => matchesFeedforward(s.path, ff)).map((s) => s.name);
    return { sites: sites.map((s) => s.name).join(','), feedforward: feedforward.length ? feedforward.join(',') : 'none' };
  },
  count(shape, o) {
    const chosen = selectSites(shape.sites, o.sites, 'ia3');
    const ff = new Set(selectSites(chosen, o.feedforward, 'ia3 feedforward').map((s) => s.name));
    const sites = chosen.map((s) => ({ site: s.name, params: ff.has(s.name) ? s.inFeatures : s.outFeatures }));
    return { trainable: sites.reduce((n, s) => n + s.params, 0), sites };
  },
});
