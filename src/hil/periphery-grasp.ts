/**
 * Periphery-held adapters: the base weights are programmed once and an adapter's input transform stays
 * digital, in front of the DAC. For GRASP the Site's input x becomes (x − β̂)/γ̂ digitally, then the
 * analog tile computes x̃·W_chip; folding the same γ/β into the weights (W' = diag(1/γ̂)·W,
 * b' = b − (β̂/γ̂)·W) instead needs a reprogrammed chip per adapter. Switching tasks is loading ≈ 2·K
 * numbers per Site.
 *
 * Order of hooks on a Site (outermost first): the adapter's hook (attached before) → the analog hook
 * attached here (innermost, it never calls `next`). Site.forward applies the adapter's transform to x
 * before calling an inner hook, so the analog layer sees x̃. Attaching the chip first would hide the
 * adapter (`attachChip` refuses to attach twice; `swapAdapter` re-attaches in the right order).
 *
 * Straight-through gradients (chip-in-the-loop training): the analog hook is a custom op whose value is
 * the chip's output and whose input gradient is the digital linear's, dx = dy·Wᵀ with the Site's
 * digital (unprogrammed) W. Gradients reach the adapter through the digital transform in front and
 * earlier layers through dx; no gradient reaches the programmed conductances.
 *
 * Counts: `mvm.calls` = analog forward calls (one batched MVM per Site per forward pass), `mvm.vectors`
 * = input vectors through the tiles (rows of x, summed over Sites).
 * Streams: none of its own; read noise comes from the ChipState's read stream.
 */
import type { ChipState } from '../crossbar/index.js';
import type { Site, Transformer } from '../model/index.js';
import { customOp, FrozenMatrix, tf } from '../tensor/index.js';

export interface ChipAttachOptions {
  /** Backward pass through the digital weights (default false: the analog layer has no gradient path to its input). */
  straightThrough?: boolean;
}

/** Analog MVMs done through an attachment. */
export interface MvmCounts {
  /** Batched MVM calls (one per Site per forward pass). */
  calls: number;
  /** Input vectors (rows of x) through the tiles, over all Sites. */
  vectors: number;
}

export interface ChipAttachment {
  readonly mvm: MvmCounts;
  detach(): void;
}

/** The digital input gradient dy·Wᵀ of a Site, dy [..., out] → [..., in]. */
export function digitalInputGrad(site: Site, dy: tf.Tensor): tf.Tensor {
  const w = site.weight();
  const wt = w instanceof FrozenMatrix ? w.transposed() : tf.transpose(w);
  const out = dy.shape[dy.rank - 1];
  const dx = tf.matMul(tf.reshape(dy, [-1, out]) as tf.Tensor2D, wt);
  return tf.reshape(dx, [...dy.shape.slice(0, -1), site.inFeatures]);
}

/**
 * Attaches the chip state's analog layers innermost on every chip Site of `model`, behind any hooks
 * already attached (periphery-held adapters). Returns the MVM counts and a detach function.
 */
export function attachChip(state: ChipState, model: Transformer, options: ChipAttachOptions = {}): ChipAttachment {
  const mvm: MvmCounts = { calls: 0, vectors: 0 };
  const detach: (() => void)[] = [];
  for (const name of state.siteNames()) {
    const site = model.sites.get(name);
    if (!site) throw new Error(`chip Site '${name}' does not exist in the model; was the chip programmed from another model?`);
    if (site.attachedOwners().includes('analog')) throw new Error(`Site '${name}' already runs on a chip (hook 'analog' attached); detach it first`);
    if (site.attachedOwners().includes('merged')) {
      throw new Error(`Site '${name}' has merged weights applied (applyMerged's hook replaces its computation, so the chip would never run); program the merged weights on the chip and apply merged weights only to Sites off the chip`);
    }
    const layer = state.analog(name);
    if (site.inFeatures !== layer.inFeatures || site.outFeatures !== layer.outFeatures) {
      throw new Error(`Site '${name}' is ${site.inFeatures}×${site.outFeatures} but was programmed as ${layer.inFeatures}×${layer.outFeatures}`);
    }
    const count = (x: tf.Tensor) => {
      mvm.calls++;
      mvm.vectors += x.size / site.inFeatures;
    };
    const ste = customOp(([x]) => ({ value: layer.forward(x), gradFunc: (dy) => [digitalInputGrad(site, dy)] }));
    detach.push(site.attach('analog', (x) => {
      count(x);
      return options.straightThrough ? ste(x) : layer.forward(x);
    }));
  }
  return { mvm, detach: () => detach.forEach((d) => d()) };
}

/**
 * One programmed chip, adapters switched without reprogramming: detaches the chip's hooks, lets
 * `attachAdapter` attach the next adapter's hooks (after the previous adapter was detached by the
 * caller), and attaches the chip innermost again. The MVM counts continue.
 */
export function swapAdapter<A>(attachment: ChipAttachment, state: ChipState, model: Transformer, attachAdapter: () => A, options: ChipAttachOptions = {}): { adapter: A; attachment: ChipAttachment } {
  attachment.detach();
  const adapter = attachAdapter();
  const next = attachChip(state, model, options);
  next.mvm.calls = attachment.mvm.calls;
  next.mvm.vectors = attachment.mvm.vectors;
  return { adapter, attachment: next };
}
