/**
 * Phase-change memory: power-law drift with a per-device exponent and accumulated 1/f read noise,
 * as in aihwkit's PCMLikeNoiseModel (Nandakumar et al., ICECS 2019; Joshi et al., Nat. Commun. 2020):
 *
 *   ν ~ |N(ν_mean(g_T), ν_std(g_T)²)| · drift scale        (drawn at programming, per device)
 *   G_drift(t) = G_prog · ((t + t0)/t0)^(−ν)
 *   G(t) = G_drift + |G_drift| · Q(g_prog) · sqrt(ln((t + t0 + t_read)/(2·t_read))) · z · read-noise scale
 *
 * t is seconds after programming; t0 (s) is the first read after programming; Q is dimensionless.
 * With `distribution: "normal"` ν is N(…) clipped at 0 instead of folded.
 */
import type { Rng } from '../../tensor/index.js';
import type { GLaw } from '../laws.js';
import { checkTime, DeviceModel, type DeviceContext } from '../model.js';
import { fillStandardNormal } from '../../tensor/index.js';
import { registerFamily } from './registry.js';

export interface PowerLawDrift {
  /** Reference time t0 (s). */
  t0: number;
  nuMean: GLaw;
  nuStd: GLaw;
  folded: boolean;
}

export interface OneOverFNoise {
  /** Q(g), dimensionless. */
  q: GLaw;
  /** Read duration of the 1/f fit (s). */
  tRead: number;
}

export class PcmDevice extends DeviceModel {
  readonly powerLaw: PowerLawDrift | null;
  readonly oneOverF: OneOverFNoise | null;

  constructor(ctx: DeviceContext) {
    super(ctx);
    const { json, file } = ctx;
    const drift = json.drift ?? { model: 'none' };
    if (drift.model === 'power-law') {
      const t0 = this.quantity(drift.t0, '/drift/t0', 'time');
      if (!(t0 > 0)) throw new Error(`${file}: /drift/t0: must be > 0 s`);
      this.powerLaw = {
        t0,
        nuMean: this.compileLaw(drift.nuMean, '/drift/nuMean', 'dimensionless', { what: 'ν mean' }).at(0),
        nuStd: this.compileLaw(drift.nuStd, '/drift/nuStd', 'dimensionless', { nonNegative: true, what: 'ν std' }).at(0),
        folded: (drift.distribution ?? 'folded-normal') === 'folded-normal',
      };
    } else if (drift.model === 'none') {
      this.powerLaw = null;
    } else {
      throw new Error(`${file}: /drift/model: family 'pcm' takes drift model 'power-law' or 'none', not '${drift.model}'`);
    }
    const acc = json.readNoise?.accumulated ?? { model: 'none' };
    if (acc.model === '1/f-relative') {
      const tRead = this.quantity(acc.tRead, '/readNoise/accumulated/tRead', 'time');
      if (!(tRead > 0)) throw new Error(`${file}: /readNoise/accumulated/tRead: must be > 0 s`);
      this.oneOverF = {
        q: this.compileLaw(acc.q, '/readNoise/accumulated/q', 'dimensionless', { nonNegative: true, what: 'Q' }).at(0),
        tRead,
      };
    } else if (acc.model === 'none') {
      this.oneOverF = null;
    } else {
      throw new Error(`${file}: /readNoise/accumulated/model: family 'pcm' takes '1/f-relative' or 'none', not '${acc.model}'`);
    }
  }

  /** Drift and 1/f noise depend on the programmed state and ν only. */
  override get driftUsesTarget(): boolean {
    return false;
  }

  override get hasDriftCoefficients(): boolean {
    return this.powerLaw !== null;
  }

  /** ν per device from the target state (dimensionless), scaled by the drift knob. */
  override driftCoefficients(target: Float32Array, _programmed: Float32Array, out: Float32Array, rng: Rng): void {
    const p = this.powerLaw;
    if (!p) {
      out.fill(0);
      return;
    }
    const n = target.length;
    const mean = p.nuMean.fill(target, new Float32Array(n));
    const std = p.nuStd.fill(target, new Float32Array(n));
    fillStandardNormal(rng, out, 0, 1, n);
    const s = this.scales.drift;
    for (let i = 0; i < n; i++) {
      const nu = mean[i] + std[i] * out[i];
      out[i] = s * (p.folded ? Math.abs(nu) : nu > 0 ? nu : 0);
    }
  }

  override driftAndNoise(_target: Float32Array, programmed: Float32Array, nu: Float32Array | null, t: number, out: Float32Array, rng: Rng): void {
    checkTime(t);
    const n = programmed.length;
    const p = this.powerLaw;
    if (p && nu) {
      const lnRatio = Math.log((t + p.t0) / p.t0);
      for (let i = 0; i < n; i++) {
        const g = programmed[i];
        out[i] = g === 0 ? 0 : g * Math.exp(-nu[i] * lnRatio);
      }
    } else {
      out.set(programmed);
    }
    const f = this.oneOverF;
    const scale = this.scales.readNoise;
    if (f && scale > 0) {
      const t0 = p ? p.t0 : 0;
      const growth = Math.sqrt(Math.max(0, Math.log((t + t0 + f.tRead) / (2 * f.tRead))));
      const q = f.q.fill(programmed, new Float32Array(n));
      const z = fillStandardNormal(rng.fork('accumulated'), new Float32Array(n));
      const k = scale * growth;
      for (let i = 0; i < n; i++) out[i] += Math.abs(out[i]) * q[i] * k * z[i];
    }
    this.clampInPlace(out);
  }
}

registerFamily('pcm', (ctx) => new PcmDevice(ctx));
