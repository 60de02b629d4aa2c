/** Facts about the running environment, for `doctor` and for result provenance. */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendInfo } from './tensor/index.js';

export interface EnvironmentReport {
  version: string;
  backend: string;
  backendReason: string;
  node: string;
  platform: string;
  cpus: number;
  defaultWorkers: number;
  packages: Record<string, string>;
}

let cachedVersion: string | null = null;

/** grasp-hil's own version from package.json. */
export function packageVersion(): string {
  if (cachedVersion === null) {
    const path = fileURLToPath(new URL('../package.json', import.meta.url));
    cachedVersion = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return cachedVersion;
}

export function environmentReport(): EnvironmentReport {
  const b = backendInfo();
  return {
    version: packageVersion(),
    backend: b?.name ?? 'not initialised',
    backendReason: b?.reason ?? '',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    defaultWorkers: os.cpus().length,
    packages: b?.versions ?? {},
  };
}
