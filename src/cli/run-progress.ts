/**
 * `grasp-hil run`'s display: on a terminal, one cli-progress bar per phase (train: adapters;
 * evaluate: evaluations and device characterisations, the counts the plan line names) with done/total,
 * elapsed time, ETA and what finished last, and the runner's log lines printed above the bars.
 * Not a terminal, or --json: null, and the runner prints plain lines (`evaluate: 11/113 … (ETA 1m 40s)`).
 */
import cliProgress from 'cli-progress';
import { formatDuration, type RunProgress } from '../internal.js';

export interface RunDisplay {
  log(line: string): void;
  onProgress(e: RunProgress): void;
  stop(): void;
}

/** The multi-bar display on `stream` if it is a terminal and the output is not --json; else null. */
export function runDisplay(stream: NodeJS.WriteStream, json: boolean): RunDisplay | null {
  if (json || !stream.isTTY) return null;
  const multi = new cliProgress.MultiBar(
    { stream, hideCursor: true, clearOnComplete: false, autopadding: true, format: '{phase} [{bar}] {value}/{total} | {elapsed} elapsed | ETA {left} | {label}' },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    log: (line) => multi.log(`${line}\n`),
    onProgress(e) {
      const payload = { phase: e.phase.padEnd(8), label: e.label, elapsed: formatDuration(e.seconds), left: e.eta === null ? '…' : formatDuration(e.eta) };
      const bar = bars.get(e.phase);
      if (!bar) {
        if (e.total > 0) bars.set(e.phase, multi.create(e.total, e.done, payload));
      } else bar.update(e.done, payload);
    },
    stop: () => multi.stop(),
  };
}
