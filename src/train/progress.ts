/**
 * Training progress: a cli-progress bar (loss, tokens/s, ETA) on a TTY, plain lines otherwise
 * (logs, CI), or nothing. Lines go to a stream (default stderr) or to a line callback (the runner's
 * log channel; a bar needs a stream, so a callback always gets lines). Reporting only; it never touches tensors.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface StepInfo {
  step: number;
  total: number;
  epoch: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
}

export interface Progress {
  update(info: StepInfo): void;
  /** A message line (evaluation results) that does not break the bar. */
  log(line: string): void;
  stop(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/**
 * `done` is the steps finished before this process started (a resumed run): the ETA extrapolates
 * from this process's own steps only, and the bar starts where the run is.
 */
export function createProgress(
  total: number, mode: ProgressMode = 'auto', out: NodeJS.WriteStream | ((line: string) => void) = process.stderr, every = 10, done = 0,
): Progress {
  const write = typeof out === 'function' ? out : (line: string) => out.write(`${line}\n`);
  const resolved = typeof out === 'function' ? (mode === 'none' ? 'none' : 'lines') : mode === 'auto' ? (out.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { update() {}, log() {}, stop() {} };
  const started = Date.now();
  if (resolved === 'lines' || typeof out === 'function') {
    return {
      update(i) {
        if (i.step % every !== 0 && i.step !== i.total) return;
        const elapsed = (Date.now() - started) / 1000;
        const eta = (elapsed / (i.step - done)) * (i.total - i.step);
        write(`step ${i.step}/${i.total} epoch ${i.epoch} loss ${i.loss.toFixed(4)} lr ${i.lr.toExponential(2)} ${Math.round(i.tokensPerSecond)} tok/s eta ${formatDuration(eta)}`);
      },
      log: write,
      stop() {},
    };
  }
  const stream = out;
  const bar = new cliProgress.SingleBar(
    {
      format: 'train [{bar}] {value}/{total} | epoch {epoch} | loss {loss} | {tps} tok/s | ETA {eta_formatted}',
      stream,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, done, { loss: '-', tps: '-', epoch: 1 });
  return {
    update(i) {
      bar.update(i.step, { loss: i.loss.toFixed(4), tps: Math.round(i.tokensPerSecond), epoch: i.epoch });
    },
    log(line) {
      stream.write(`\r\x1b[K${line}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}
