/**
 * RED (Wu et al. 2024, representation editing): a learned scale s (init 1) and bias v (init 0) on
 * each feed-forward output: y' = y·s + v on the second feed-forward Site (output.dense /
 * GPT-2 mlp.c_proj), before dropout, residual and LayerNorm.
 *
 * Merge: W' = W·diag(s), b' = b·s + v. Saved keys: `<site>.red_scale`, `<site>.red_bias` [out].
 */
import type { Site, Transformer } from '../model/index.js';
import { tf, toFloat32 } from '../tensor/index.js';
import { registerMethod, type Adapter, type AdapterMode, type MergedWeights, type NamedTensors, type TrainableVariable } from './adapter.js';
import { OptionReader } from './options.js';
import { selectSites } from './sites.js';
import { loadVectorState, newVariable, siteWeights, vectorState } from './tensors.js';

export interface RedOptions {
  sites: string;
}

const DOCS = { sites: 'Site selector; default ff2 (second feed-forward)' };

interface RedSite {
  site: Site;
  scale: tf.Variable;
  bias: tf.Variable;
  detach: () => void;
}

class RedAdapter implements Adapter {
  readonly method = 'red';
  readonly sites: readonly string[];
  private readonly parts: RedSite[];

  constructor(model: Transformer, readonly opts: RedOptions) {
    const chosen = selectSites(model.sites.values(), opts.sites, 'red');
    this.sites = chosen.map((s) => s.name);
    this.parts = chosen.map((site) => {
      const scale = newVariable(tf.ones([site.outFeatures]), `red/${site.name}/scale`);
      const bias = newVariable(tf.zeros([site.outFeatures]), `red/${site.name}/bias`);
      const detach = site.attach('red', (x, next) => tf.add(tf.mul(next(x), scale), bias));
      return { site, scale, bias, detach };
    });
  }

  get options(): Record<string, unknown> {
    return { ...this.opts };
  }

  trainable(): TrainableVariable[] {
    return this.parts.flatMap((p) => [
      { key: `${p.site.name}.red_scale`, variable: p.scale, decay: false },
      { key: `${p.site.name}.red_bias`, variable: p.bias, decay: false },
    ]);
  }

  parameterCount(): number {
    return this.parts.reduce((n, p) => n + 2 * p.scale.size, 0);
  }

  setMode(_mode: AdapterMode): void {}

  merge(): MergedWeights {
    const sites = new Map();
    for (const p of this.parts) {
      const w = siteWeights(p.site);
      const s = toFloat32(p.scale), v = toFloat32(p.bias);
      const dout = w.outFeatures;
      for (let i = 0; i < w.inFeatures; i++) for (let j = 0; j < dout; j++) w.weight[i * dout + j] *= s[j];
      const b = new Float32Array(dout);
      for (let j = 0; j < dout; j++) b[j] = (w.bias ? w.bias[j] * s[j] : 0) + v[j];
      sites.set(p.site.name, { ...w, bias: b });
    }
    return { sites, params: new Map() };
  }

  state(): NamedTensors {
    return vectorState(this.trainable());
  }

  loadState(tensors: NamedTensors, source: string): void {
    loadVectorState(this.trainable(), tensors, source);
  }

  detach(): void {
    for (const p of this.parts) {
      p.detach();
      p.scale.dispose();
      p.bias.dispose();
    }
    this.parts.length = 0;
  }
}

export const red = registerMethod<RedOptions>({
  name: 'red',
  peftType: 'RED',
  summary: 'RED: a scale and a bias vector on each feed-forward output',
  optionDocs: DOCS,
  parseOptions(raw) {
    const r = new OptionReader('red', raw, DOCS);
    const o = { sites: r.string('sites', 'ff2') };
    r.finish();
    return o;
  },
  attach: (model, o) => new RedAdapter(model, o),
  count(shape, o) {
    const sites = selectSites(shape.sites, o.sites, 'red').map((s) => ({ site: s.name, params: 2 * s.outFeatures }));
    return { trainable: sites.reduce((n, s) => n + s.params, 0), sites };
  },
});
