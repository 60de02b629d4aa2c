/**
 * Containment: a file named by something the user supplied (a shard index entry, an adapter folder's
 * files) must resolve, symbolic links followed, to a path inside its root folder. Absolute paths and
 * `..` that leave the root are refused before anything is opened; the message names the file that
 * gave the name, the field and the path.
 */
import { existsSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** `root/name`, checked to stay inside `root`; `source`/`field` name where the name came from. */
export function containedPath(root: string, name: string, source: string, field: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`${source}: ${field} must be a file name inside ${root}; got ${JSON.stringify(name)}`);
  if (path.isAbsolute(name) || name.includes('\0')) {
    throw new Error(`${source}: ${field} names '${name}', an absolute path; files must be named relative to ${root}`);
  }
  const full = path.resolve(root, name);
  const base = path.resolve(root);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new Error(`${source}: ${field} names '${name}', which is outside ${root}; files must stay inside the folder`);
  }
  if (existsSync(full)) {
    const realBase = realpathSync(base);
    const real = realpathSync(full);
    if (real !== realBase && !real.startsWith(realBase + path.sep)) {
      throw new Error(`${source}: ${field} names '${name}', a link to ${real} outside ${root}; copy the file into the folder instead`);
    }
  }
  return full;
}
