/**
 * Choosing Sites the way PEFT's `target_modules` does: by preset, exact name, name suffix (matched
 * at a dot boundary) or regular expression. Several criteria in one selector are a union. Heads
 * (role 'head') are left out unless `includeHeads` is set or a name asks for them explicitly.
 *
 *   preset        encoder (BERT/RoBERTa)                           decoder (GPT-2)
 *   all-linear    query key value attention.output.dense            c_attn attn.c_proj mlp.c_fc mlp.c_proj
 *                 intermediate.dense output.dense
 *   attention     query key value attention.output.dense            c_attn attn.c_proj
 *   ffn           intermediate.dense output.dense                   mlp.c_fc mlp.c_proj
 *   kvff2         key value output.dense                             c_attn mlp.c_proj
 *   ff2           output.dense                                       mlp.c_proj
 *   qv            query value (LoRA's default)                       c_attn
 *   none          —                                                  —
 *
 * Text form (`parseSiteSelector`): comma-separated items; a preset name, `/regex/`, a full Site
 * name, or a suffix (`output.dense`); `+heads` adds heads.
 */
import type { Site, SiteRole } from './site.js';

export const SITE_PRESETS = ['all-linear', 'attention', 'ffn', 'kvff2', 'ff2', 'qv', 'none'] as const;
export type SitePreset = (typeof SITE_PRESETS)[number];

export interface SiteSelector {
  preset?: SitePreset;
  /** Exact Site names. */
  names?: string[];
  /** Name endings, matched at a dot boundary ('output.dense' matches 'encoder.layer.0.output.dense'). */
  suffixes?: string[];
  /** A regular expression tested against the full name (search, not anchored). */
  regex?: string;
  /** Include head Sites (classifier, lm_head, pooler, score) in preset/suffix/regex matches. */
  includeHeads?: boolean;
}

const PRESET_ROLES: Record<SitePreset, readonly SiteRole[]> = {
  'all-linear': ['query', 'key', 'value', 'attention.output', 'intermediate', 'output', 'c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'],
  attention: ['query', 'key', 'value', 'attention.output', 'c_attn', 'attn.c_proj'],
  ffn: ['intermediate', 'output', 'mlp.c_fc', 'mlp.c_proj'],
  kvff2: ['key', 'value', 'output', 'c_attn', 'mlp.c_proj'],
  ff2: ['output', 'mlp.c_proj'],
  qv: ['query', 'value', 'c_attn'],
  none: [],
};

function isPreset(s: string): s is SitePreset {
  return (SITE_PRESETS as readonly string[]).includes(s);
}

/** Parses 'all-linear', 'output.dense', '/attention\\.self/', 'qv,classifier.dense', 'ff2+heads'. */
export function parseSiteSelector(text: string): SiteSelector {
  const sel: SiteSelector = {};
  let body = text.trim();
  if (body.endsWith('+heads')) {
    sel.includeHeads = true;
    body = body.slice(0, -'+heads'.length);
  }
  if (body.length > 1 && body.startsWith('/') && body.endsWith('/')) {
    sel.regex = body.slice(1, -1);
    compile(sel.regex, text);
    return sel;
  }
  for (const raw of body.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    if (isPreset(item)) {
      if (sel.preset && sel.preset !== item) throw new Error(`site selector '${text}': two presets (${sel.preset}, ${item}); use one`);
      sel.preset = item;
    } else if (item.length > 1 && item.startsWith('/') && item.endsWith('/')) {
      if (sel.regex) throw new Error(`site selector '${text}': more than one /regex/; combine them with |`);
      sel.regex = item.slice(1, -1);
      compile(sel.regex, text);
    } else if (/^[A-Za-z0-9_.]+$/.test(item)) {
      (sel.suffixes ??= []).push(item);
    } else {
      throw new Error(`site selector '${text}': cannot read '${item}'; expected a preset (${SITE_PRESETS.join(', ')}), a name suffix like output.dense, or /regex/`);
    }
  }
  if (!sel.preset && !sel.suffixes && !sel.regex) {
    throw new Error(`site selector '${text}' is empty; expected a preset (${SITE_PRESETS.join(', ')}), a name suffix like output.dense, or /regex/`);
  }
  return sel;
}

function compile(source: string, where: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new Error(`site selector '${where}': invalid regular expression /${source}/: ${(e as Error).message}`);
  }
}

function endsAtDot(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`);
}

/**
 * Distinct Site names with block indices folded ('encoder.layer.*.output.dense'), in model order —
 * what error messages list instead of every Site.
 */
export function siteNameSummary(sites: Iterable<Site>): string[] {
  const seen = new Set<string>();
  for (const s of sites) seen.add(s.name.replace(/\.\d+\./, '.*.'));
  return [...seen];
}

/** The Sites matching `selector`, in model order. Throws when none match, listing what exists. */
export function selectSites(model: { sites: ReadonlyMap<string, Site> }, selector: SiteSelector | string): Site[] {
  const sel = typeof selector === 'string' ? parseSiteSelector(selector) : selector;
  const all = [...model.sites.values()];
  const names = new Set(sel.names ?? []);
  const unknown = [...names].filter((n) => !model.sites.has(n));
  if (unknown.length) {
    throw new Error(`site selector: no Site named ${unknown.map((n) => `'${n}'`).join(', ')}; Sites: ${siteNameSummary(all).join(', ')}`);
  }
  const roles = new Set<SiteRole>(sel.preset ? PRESET_ROLES[sel.preset] : []);
  const regex = sel.regex !== undefined ? compile(sel.regex, `/${sel.regex}/`) : null;
  const out = all.filter((s) => {
    if (names.has(s.name)) return true;
    if (s.role === 'head' && !sel.includeHeads) return false;
    if (roles.has(s.role)) return true;
    if (sel.suffixes?.some((x) => endsAtDot(s.name, x))) return true;
    return regex !== null && regex.test(s.name);
  });
  if (out.length === 0 && sel.preset !== 'none') {
    throw new Error(`site selector ${describe(sel)} matched no Site; Sites: ${siteNameSummary(all).join(', ')}`);
  }
  return out;
}

function describe(sel: SiteSelector): string {
  const parts: string[] = [];
  if (sel.preset) parts.push(`preset '${sel.preset}'`);
  if (sel.names?.length) parts.push(`names ${sel.names.join(', ')}`);
  if (sel.suffixes?.length) parts.push(`suffix ${sel.suffixes.map((s) => `'${s}'`).join(', ')}`);
  if (sel.regex !== undefined) parts.push(`/${sel.regex}/`);
  if (sel.includeHeads) parts.push('+heads');
  return parts.join(' + ') || '(empty)';
}
