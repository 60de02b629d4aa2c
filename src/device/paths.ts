/**
 * Files shipped with the package, found relative to this module: src/device/ (tests, tsx) and
 * dist/device/ (the built CLI) both sit two levels below the package root.
 */
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);

/** Absolute path of `relative` inside the package root. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, root));
}

/** Directory of the shipped device profiles. */
export const DEVICE_MODELS_DIR = packagePath('device-models/');
