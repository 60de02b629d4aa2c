/**
 * Shared-input groups: chip Sites that a model's forward pass feeds the same input one after another,
 * so that one MVM request can carry all of them (model-on-chip.ts). An encoder block (BERT/RoBERTa)
 * computes query, key and value from the same x, in that order; GPT-2's fused c_attn is one Site already.
 *
 *   groups:   per block, the Sites whose roles form one entry of SHARED_INPUT_ROLES, in that entry's
 *             order (the first is the leader), when at least two of them are on the chip
 *   leader:   when every member's only hook is the chip's (so each member's hook sees exactly the
 *             Site's input), the leader's hook sends all members' tile calls in one request, keeps
 *             the followers' outputs and its input (the tensor and its values)
 *   follower: takes its kept output only if its input is the leader's — the same tensor, or the same
 *             values — and otherwise makes its own call
 *
 * Numbers: a chip draws each tile's read noise per MVM from that tile's own stream (simulator.ts), so
 * one request with the group's calls in call order gives the bit-identical outputs of separate
 * requests. Only when a follower's input differs from the leader's (not so in this project's models:
 * test/hil/shared-inputs.test.ts) has its tile run once more than it would have.
 */
import type { SiteRole, Transformer } from '../model/index.js';

/** Roles of Sites in one block that read the same input, in the order the model calls them. */
export const SHARED_INPUT_ROLES: readonly (readonly SiteRole[])[] = [['query', 'key', 'value']];

/** Groups of ≥ 2 chip Sites (names, call order) that read one input; see the file header. */
export function sharedInputGroups(model: Transformer, onChip: ReadonlySet<string>): string[][] {
  const groups: string[][] = [];
  for (const roles of SHARED_INPUT_ROLES) {
    const byBlock = new Map<number, string[]>();
    for (const role of roles) {
      for (const site of model.sites.values()) {
        if (site.role !== role || site.block === null || !onChip.has(site.name)) continue;
        byBlock.set(site.block, [...(byBlock.get(site.block) ?? []), site.name]);
      }
    }
    for (const names of byBlock.values()) if (names.length >= 2) groups.push(names);
  }
  return groups;
}

/** Whether two inputs hold the same values (same length, bit for bit). */
export function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length), y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
