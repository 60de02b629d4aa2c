/**
 * GRASP (Bal & Sengupta, GRouped Activation Shared Parameterization, eq. 1–2).
 *
 * For each selected Site with input dimension D, K learned scales γ and shifts β are expanded to
 * γ̂, β̂ ∈ R^D (repeat ⌈D/K⌉ times, truncate to D, permute with the Site's seeded permutation; see
 * grouping.ts) and the Site's input becomes x̃ = (x − β̂)/γ̂. γ starts at 1 and β at 0, so the
 * adapted model starts as the base model.
 *
 * Cost: a multiply-add over the Site's input forward, two products and two row sums backward,
 * inside the Site's own linear op (`next(x, {scale, shift})`, see LinearOptions.pre). The Site's
 * weight stays a FrozenMatrix, so the backward pass computes dx̃ = dy·Wᵀ (needed anyway to reach
 * earlier layers) and no weight gradient; dγ, dβ are group sums of the per-feature sums, reduced
 * with a fixed indicator matmul.
 *
 * Merge (exact): W' = diag(1/γ̂)·W, b' = b − (β̂/γ̂)·W.
 * Saved keys: `<site>.grasp_scale` [K], `<site>.grasp_shift` [K].
 * Ablations: variant 'scale' (γ only) and 'shift' (β only).
 */
import type { Site, Transformer } from '../model/index.js';
import { Rng, tf, toFloat32 } from '../tensor/index.js';
import { registerMethod, type Adapter, type AdapterMode, type MergedWeights, type ModelShape, type NamedTensors, type TrainableVariable } from './adapter.js';
import { checkGroupCount, expandArray, GroupExpander, makeGrouping, StackedExpander } from './grouping.js';
import { PassCache } from './pass-cache.js';
import { OptionReader } from './options.js';
import { selectSites } from './sites.js';
import { loadVectorState, newVariable, siteWeights, vectorState } from './tensors.js';

export type GraspVariant = 'scale-shift' | 'scale' | 'shift';

export interface GraspOptions {
  /** Groups per Site (1 ≤ K ≤ D_in of every selected Site). */
  k: number;
  /** Site selector (preset, names, suffixes, /regex/). */
  sites: string;
  variant: GraspVariant;
  /** Seed of the grouping permutations. */
  seed: number;
}

const DOCS = {
  k: 'groups per Site, 1 ≤ k ≤ input dimension; default 32',
  sites: 'Site selector: all-linear | kvff2 | ff2 | qv | names | suffixes | /regex/; default all-linear',
  variant: "scale-shift (default) | scale | shift (ablations)",
  seed: 'grouping seed; default 0',
};

/** The grouping stream of a Site: independent of every other Site's and of the init stream. */
export function groupingRng(seed: number, site: string, axis: 'in' | 'out'): Rng {
  return new Rng(seed, `grouping/${site}/${axis}`);
}

interface GraspSite {
  site: Site;
  expander: GroupExpander;
  scale: tf.Variable | null;
  shift: tf.Variable | null;
  /** Index of the Site's group (Sites with the same input dimension) and its row in it. */
  group: number;
  row: number;
  detach: () => void;
}

/** Sites with the same input dimension D share one batched expansion per forward pass (StackedExpander). */
interface SiteGroup {
  members: GraspSite[];
  expander: StackedExpander;
}

/**
 * a = 1/γ̂ and c = −β̂/γ̂ of every Site of a group, one [D] vector per member (null when the variant
 * lacks one). Split with one unstack per group, whose gradient is one stack — per-Site slices would
 * add a pad and an add per Site to the backward pass.
 */
interface GroupVectors {
  a: tf.Tensor[] | null;
  c: tf.Tensor[] | null;
}

class GraspAdapter implements Adapter {
  readonly method = 'grasp';
  readonly sites: readonly string[];
  private readonly parts: GraspSite[];
  private readonly groups: SiteGroup[] = [];
  private readonly cache = new PassCache<GroupVectors[]>(() => this.parts.flatMap((p) => [p.scale, p.shift]), () => this.computeVectors());

  constructor(model: Transformer, readonly opts: GraspOptions) {
    const chosen = selectSites(model.sites.values(), opts.sites, 'grasp');
    for (const s of chosen) checkGroupCount(opts.k, s.inFeatures, `grasp: Site ${s.name} (input dimension ${s.inFeatures})`);
    this.sites = chosen.map((s) => s.name);
    const k = opts.k;
    const byDim = new Map<number, GraspSite[]>();
    this.parts = chosen.map((site, index) => {
      const expander = new GroupExpander(makeGrouping(site.inFeatures, k, groupingRng(opts.seed, site.name, 'in')));
      const scale = opts.variant !== 'shift' ? newVariable(tf.ones([k]), `grasp/${site.name}/scale`) : null;
      const shift = opts.variant !== 'scale' ? newVariable(tf.zeros([k]), `grasp/${site.name}/shift`) : null;
      const members = byDim.get(site.inFeatures) ?? [];
      byDim.set(site.inFeatures, members);
      const part: GraspSite = { site, expander, scale, shift, group: -1, row: members.length, detach: () => {} };
      members.push(part);
      part.detach = site.attach('grasp', (x, next) => {
        // (x − β̂)/γ̂ = x·a + c with a = 1/γ̂, c = −β̂/γ̂: the [1, D] vectors come from the group's
        // batched expansion; the Site's linear op applies them (one multiply-add per token).
        const v = this.cache.get(index === 0)[part.group];
        return next(x, { scale: v.a?.[part.row] ?? null, shift: v.c?.[part.row] ?? null });
      });
      return part;
    });
    for (const members of byDim.values()) {
      members.forEach((m) => (m.group = this.groups.length));
      this.groups.push({ members, expander: new StackedExpander(members.map((m) => m.expander)) });
    }
  }

  /** a and c of every group, one vector per Site (see PassCache for when they are recomputed). */
  private computeVectors(): { value: GroupVectors[]; tensors: tf.Tensor[] } {
    const vectors = this.groups.map(({ members, expander: x }) => {
      const plane = (v: 'scale' | 'shift') => tf.stack(members.map((m) => m[v]!));
      const variant = this.opts.variant;
      if (variant === 'scale') return { a: x.perSite(tf.reciprocal(x.expand([plane('scale')])[0]) as tf.Tensor2D), c: null };
      if (variant === 'shift') return { a: null, c: x.perSite(tf.neg(x.expand([plane('shift')])[0]) as tf.Tensor2D) };
      const [gamma, beta] = x.expand([plane('scale'), plane('shift')]);
      const a = tf.reciprocal(gamma) as tf.Tensor2D;
      return { a: x.perSite(a), c: x.perSite(tf.neg(tf.mul(beta, a)) as tf.Tensor2D) };
    });
    return { value: vectors, tensors: vectors.flatMap((v) => [...(v.a ?? []), ...(v.c ?? [])]) };
  }

  get options(): Record<string, unknown> {
    return { ...this.opts };
  }

  trainable(): TrainableVariable[] {
    const out: TrainableVariable[] = [];
    for (const p of this.parts) {
      if (p.scale) out.push({ key: `${p.site.name}.grasp_scale`, variable: p.scale, decay: false });
      if (p.shift) out.push({ key: `${p.site.name}.grasp_shift`, variable: p.shift, decay: false });
    }
    return out;
  }

  parameterCount(): number {
    return this.trainable().reduce((n, t) => n + t.variable.size, 0);
  }

  setMode(_mode: AdapterMode): void {}

  merge(): MergedWeights {
    const sites = new Map();
    for (const p of this.parts) {
      const w = siteWeights(p.site);
      const g = p.expander.grouping;
      const inv = p.scale ? expandArray(toFloat32(p.scale), g).map((v) => 1 / v) : new Float32Array(g.size).fill(1);
      const shift = p.shift ? expandArray(toFloat32(p.shift), g) : new Float32Array(g.size);
      const { inFeatures: din, outFeatures: dout } = w;
      const bias = w.bias ? Float64Array.from(w.bias) : new Float64Array(dout);
      for (let i = 0; i < din; i++) {
        const s = inv[i], c = shift[i] * inv[i];
        const row = i * dout;
        for (let j = 0; j < dout; j++) {
          const v = w.weight[row + j];
          if (c !== 0) bias[j] -= c * v;
          w.weight[row + j] = v * s;
        }
      }
      // b' = b − (β̂/γ̂)·W: a Site without bias gains one when β ≠ 0.
      const needsBias = w.bias !== null || bias.some((v) => v !== 0);
      sites.set(p.site.name, { ...w, bias: needsBias ? Float32Array.from(bias) : null });
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
      p.expander.dispose();
      p.scale?.dispose();
      p.shift?.dispose();
    }
    for (const g of this.groups) g.expander.dispose();
    this.cache.dispose();
    this.parts.length = 0;
    this.groups.length = 0;
  }
}

export const grasp = registerMethod<GraspOptions>({
  name: 'grasp',
  peftType: 'GRASP',
  summary: 'GRASP: K shared scales and shifts per Site input, x̃ = (x − β̂)/γ̂',
  optionDocs: DOCS,
  parseOptions(raw) {
    const r = new OptionReader('grasp', raw, DOCS);
    const o: GraspOptions = {
      k: r.int('k', 32, 1),
      sites: r.string('sites', 'all-linear'),
      variant: r.choice<GraspVariant>('variant', 'scale-shift', ['scale-shift', 'scale', 'shift']),
      seed: r.int('seed', 0),
    };
    r.finish();
    return o;
  },
  attach: (model, options) => new GraspAdapter(model, options),
  count(shape: ModelShape, o) {
    const per = o.variant === 'scale-shift' ? 2 : 1;
    const sites = selectSites(shape.sites, o.sites, 'grasp').map((s) => {
      checkGroupCount(o.k, s.inFeatures, `grasp: Site ${s.name} (input dimension ${s.inFeatures})`);
      return { site: s.name, params: per * o.k };
    });
    return { trainable: sites.reduce((n, s) => n + s.params, 0), sites };
  },
});
