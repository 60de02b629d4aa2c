/**
 * What `runExperiment` accepts: an experiment file's path, or an experiment object built in code.
 *
 * An object is validated exactly as a file is (same schema, same defaults, same hash: an object and
 * a file with the same content share reports/<name>/ and its rows). The caller's object is never
 * modified. Relative paths inside it (model, task.dataDir, profile files) resolve against `baseDir`
 * (default: the working directory); errors name it `<baseDir>/(experiment object)`.
 */
import { resolve } from 'node:path';
import { hashOf, loadExperiment, parseExperiment, type Experiment, type LoadedExperiment } from './schema.js';

/** A path to an experiment file, or the experiment itself. */
export type ExperimentSource = string | Experiment;

/** The name an experiment object goes by in errors and relative paths, inside its base folder. */
export const OBJECT_FILE_NAME = '(experiment object)';

export interface ResolvedSource extends LoadedExperiment {
  /** True when the experiment came from a file (workers re-read it to check it is still valid). */
  fromFile: boolean;
}

export function loadExperimentSource(source: ExperimentSource, baseDir?: string): ResolvedSource {
  if (typeof source === 'string') return { ...loadExperiment(source), fromFile: true };
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new Error(`runExperiment: expected an experiment file path or an experiment object, got ${source === null ? 'null' : Array.isArray(source) ? 'an array' : typeof source}`);
  }
  const file = resolve(baseDir ?? '.', OBJECT_FILE_NAME);
  const experiment = parseExperiment(structuredClone(source), file);
  return { experiment, file, hash: hashOf(experiment), fromFile: false };
}
