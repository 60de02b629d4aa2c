/**
 * The queue's connection string: from `--queue` / `--from` (when given a value), else $GRASP_HIL_DATABASE_URL. It is
 * never printed or stored: messages show `maskUrl(url)` (password replaced by `***`), and rows
 * carry no connection details.
 */

export const DATABASE_URL_ENV = 'GRASP_HIL_DATABASE_URL';

/** The URL given, or the environment's; throws naming both when neither is set. */
export function queueUrl(flag: string | undefined, flagName = '--queue'): string {
  const url = flag || process.env[DATABASE_URL_ENV];
  if (!url) throw new Error(`no queue database: pass ${flagName} postgres://user:password@host:5432/db or set ${DATABASE_URL_ENV}`);
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`${flagName}: expected a postgres:// or postgresql:// connection string, got '${maskUrl(url)}'`);
  return url;
}

/** The URL with its password replaced by `***` (and nothing at all when it does not parse). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable connection string>';
  }
}

/** An error message with every occurrence of the URL (and its password) masked. */
export function maskIn(message: string, url: string): string {
  let out = message.split(url).join(maskUrl(url));
  try {
    const pw = decodeURIComponent(new URL(url).password);
    if (pw) out = out.split(pw).join('***');
  } catch {
    // unparseable: nothing more to mask
  }
  return out;
}
