/**
 * Choosing the Sites a method adapts: the model's `selectSites` (presets all-linear, attention, ffn,
 * kvff2, ff2, qv, none; names; dot-boundary suffixes; /regex/) applied to a model's Sites or to
 * Site shapes derived from a config (parameter counting), with two additions for PEFT options:
 * every comma-separated item must match at least one Site on its own, and errors name the method.
 */
import { selectSites as selectModelSites, type Site, type SiteRole } from '../model/index.js';

export interface SiteLike {
  readonly name: string;
  readonly role: SiteRole;
  readonly block: number | null;
}

/** Splits a selector into items (a selector that is one /regex/ is one item). */
export function selectorItems(selector: string): string[] {
  const t = selector.trim();
  if (t.length > 1 && t.startsWith('/') && t.replace(/\+heads$/, '').endsWith('/')) return [t];
  return t.replace(/\+heads$/, '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The Sites of `all` matched by `selector`, in model order. */
export function selectSites<T extends SiteLike>(all: Iterable<T>, selector: string, what: string): T[] {
  const sites = new Map<string, T>();
  for (const s of all) sites.set(s.name, s);
  const host = { sites: sites as unknown as ReadonlyMap<string, Site> };
  try {
    const items = selectorItems(selector);
    if (items.length > 1) for (const item of items) selectModelSites(host, item);
    return selectModelSites(host, selector) as unknown as T[];
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}
