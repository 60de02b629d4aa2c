/**
 * Running a model on merged (deployable) weights: each merged Site gets a hook that replaces its
 * computation with `linear(x, W', b')`, and other merged parameters replace the model's values.
 * `applyMerged` returns a function that undoes both. Used to check merge exactness and to evaluate
 * perturbed deployed weights (the noise protocol).
 */
import type { Transformer, WeightsBySite } from '../model/index.js';
import { FrozenMatrix, linear, tf } from '../tensor/index.js';
import type { MergedWeights, NamedTensors } from './adapter.js';

export function applyMerged(model: Transformer, merged: { sites: WeightsBySite; params?: NamedTensors }): () => void {
  const undo: (() => void)[] = [];
  for (const [name, w] of merged.sites) {
    const site = model.sites.get(name);
    if (!site) throw new Error(`applyMerged: the model has no Site '${name}'`);
    if (w.inFeatures !== site.inFeatures || w.outFeatures !== site.outFeatures) {
      throw new Error(`applyMerged: ${name} is [${site.inFeatures}, ${site.outFeatures}], merged weights are [${w.inFeatures}, ${w.outFeatures}]`);
    }
    const W = new FrozenMatrix(tf.keep(tf.tensor2d(w.weight, [w.inFeatures, w.outFeatures])));
    const b = w.bias ? tf.keep(tf.tensor1d(w.bias)) : null;
    const detach = site.attach('merged', (x) => linear(x, W, b));
    undo.push(() => {
      detach();
      W.dispose();
      b?.dispose();
    });
  }
  for (const [name, t] of merged.params ?? new Map()) {
    if (model.params.isTrainable(name)) throw new Error(`applyMerged: '${name}' is being trained; detach the adapter first`);
    // Through a variable, so the store keeps its order: set the merged value, later put it back.
    const original = model.params.get(name);
    model.params.setTrainable(name, true);
    const v = model.params.trainable().get(name)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    undo.push(() => {
      v.assign(original);
      model.params.setTrainable(name, false);
    });
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

/** Copies merged weights (deep), e.g. before perturbing them. */
export function cloneMerged(m: MergedWeights): MergedWeights {
  return {
    sites: new Map([...m.sites].map(([k, w]) => [k, { ...w, weight: w.weight.slice(), bias: w.bias ? w.bias.slice() : null }])),
    params: new Map([...m.params].map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }])),
  };
}
