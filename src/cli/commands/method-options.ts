/** Method options from CLI flags: only the flags given, plus any --option key=value. */
export function methodOptions(argv: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const key of ['k', 'rows', 'sites', 'rank', 'alpha']) if (argv[key] !== undefined) o[key] = argv[key];
  if (typeof o.rows === 'string' && /^\d+$/.test(o.rows)) o.rows = Number(o.rows);
  for (const kv of (argv.option as string[] | undefined) ?? []) {
    const at = kv.indexOf('=');
    if (at < 1) throw new Error(`--option '${kv}': expected key=value`);
    const raw = kv.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    o[kv.slice(0, at)] = value;
  }
  return o;
}
