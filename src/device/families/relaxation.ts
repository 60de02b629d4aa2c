/**
 * Filamentary RRAM and other devices whose programmed state relaxes in log time rather than
 * drifting by a power law. Two drift models:
 *
 *   log-relaxation   G(t) = G_prog + shift(g_T, t) + σ_rel(g_T, t)·z        (aihwkit ReRamCMONoiseModel:
 *                    shift = −0.089·ln t µS, σ_rel = 0.042·ln t + 0.41 µS, Falcone et al.)
 *   spread-growth    G(t) = G_prog + sqrt(max(0, σ_total(g_T, t)² − σ_prog(g_T)²))·z
 *                    (aihwkit ReRamWan2022NoiseModel: σ_total fitted at 1 s, 1 day, 2 days)
 *
 * then accumulated read noise `absolute`: + σ_acc(g_drift, t)·z. Both scaled by the drift and
 * read-noise knobs; z from the time seed. g_T is the target as a fraction of g_max.
 *
 * FeFET and ECRAM register here too: their retention loss is modelled the same way (log-time
 * relaxation); what distinguishes them lives in their profiles (levels, state-dependent variation,
 * write-verify programming).
 */
import type { Rng } from '../../tensor/index.js';
import type { GLaw, Law } from '../laws.js';
import { checkTime, DeviceModel, type DeviceContext } from '../model.js';
import { fillStandardNormal } from '../../tensor/index.js';
import { registerFamily } from './registry.js';

type Relaxation =
  | { model: 'none' }
  | { model: 'log-relaxation'; shift: Law; sigma: Law }
  | { model: 'spread-growth'; total: Law; programmed: GLaw };

export class RelaxationDevice extends DeviceModel {
  readonly relaxation: Relaxation;
  /** σ_acc(g, t) in fractions of g_max, or null. */
  readonly accumulated: Law | null;

  constructor(ctx: DeviceContext) {
    super(ctx);
    const { json, file } = ctx;
    const drift = json.drift ?? { model: 'none' };
    const time = { allowTime: true };
    if (drift.model === 'log-relaxation') {
      this.relaxation = {
        model: 'log-relaxation',
        shift: this.compileLaw(drift.shift, '/drift/shift', 'conductance', { ...time, what: 'relaxation shift' }),
        sigma: this.compileLaw(drift.sigma, '/drift/sigma', 'conductance', { ...time, nonNegative: true, what: 'σ_relaxation' }),
      };
    } else if (drift.model === 'spread-growth') {
      const programmed = this.programming.sigma;
      if (!programmed) {
        throw new Error(`${file}: /drift: spread-growth needs a programming method with a closed-form σ (one-shot or acceptance-range), not '${this.programming.method}'`);
      }
      this.relaxation = {
        model: 'spread-growth',
        total: this.compileLaw(drift.total, '/drift/total', 'conductance', { ...time, nonNegative: true, what: 'σ_total' }),
        programmed,
      };
    } else if (drift.model === 'none') {
      this.relaxation = { model: 'none' };
    } else {
      throw new Error(`${file}: /drift/model: family '${json.family}' takes drift model 'log-relaxation', 'spread-growth' or 'none', not '${drift.model}'`);
    }
    const acc = json.readNoise?.accumulated ?? { model: 'none' };
    if (acc.model === 'absolute') {
      this.accumulated = this.compileLaw(acc.sigma, '/readNoise/accumulated/sigma', 'conductance', { ...time, nonNegative: true, what: 'σ_accumulated' });
    } else if (acc.model === 'none') {
      this.accumulated = null;
    } else {
      throw new Error(`${file}: /readNoise/accumulated/model: family '${json.family}' takes 'absolute' or 'none', not '${acc.model}'`);
    }
  }

  override driftAndNoise(target: Float32Array, programmed: Float32Array, _c: Float32Array | null, t: number, out: Float32Array, rng: Rng): void {
    checkTime(t);
    const n = programmed.length;
    out.set(programmed);
    const r = this.relaxation;
    const ds = this.scales.drift;
    if (r.model !== 'none' && ds > 0) {
      const z = fillStandardNormal(rng.fork('relaxation'), new Float32Array(n));
      const a = new Float32Array(n);
      const b = new Float32Array(n);
      if (r.model === 'log-relaxation') {
        r.shift.at(t).fill(target, a);
        r.sigma.at(t).fill(target, b);
        for (let i = 0; i < n; i++) out[i] += ds * (a[i] + b[i] * z[i]);
      } else {
        r.total.at(t).fill(target, a);
        r.programmed.fill(target, b);
        for (let i = 0; i < n; i++) out[i] += ds * Math.sqrt(Math.max(0, a[i] * a[i] - b[i] * b[i])) * z[i];
      }
    }
    const rs = this.scales.readNoise;
    if (this.accumulated && rs > 0) {
      const s = this.accumulated.at(t).fill(out, new Float32Array(n));
      const z = fillStandardNormal(rng.fork('accumulated'), new Float32Array(n));
      for (let i = 0; i < n; i++) out[i] += rs * s[i] * z[i];
    }
    this.clampInPlace(out);
  }
}

registerFamily('rram', (ctx) => new RelaxationDevice(ctx));
registerFamily('fefet', (ctx) => new RelaxationDevice(ctx));
registerFamily('ecram', (ctx) => new RelaxationDevice(ctx));
