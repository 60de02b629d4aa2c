/**
 * bench/pulsed: pulse-by-pulse programming throughput. Programs N devices of a pulsed profile to
 * targets spread over [g_min, g_max] (and N to g_min, the idle side of a differential pair) through
 * the crossbar's programming pipeline (programDevices: variation, pulsed write-verify, faults) and
 * reports pulses per device and simulated pulses per CPU second (wall time depends on the machine's load).
 *
 *   node --import tsx bench/pulsed.ts [--profile ecram] [--devices 200000]
 */
import { characterise, PulseHistogram } from '../src/crossbar/index.js';
import { loadProfile } from '../src/device/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['devices', 'profile']);
const profile = arg('profile', 'ecram');
const n = Number(arg('devices', '200000'));
const device = loadProfile(profile);
const lo = device.gMinNorm;
const targets = new Float32Array(n);
for (let i = 0; i < n; i++) targets[i] = i % 2 === 0 ? lo : lo + ((1 - lo) * (i + 1)) / n;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const c = characterise(device, 0.5, 0, { targets, seed: 1 });
const s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0).user / 1e6;
const st = PulseHistogram.of(c.pulseCounts).stats();
report(`pulsed ${profile} (${n} devices, half at g_min)`, {
  pulses_per_device_mean: st.mean,
  median: st.median,
  p99: st.p99,
  max: st.max,
  seconds: s,
  cpu_seconds: cpu,
  pulses_per_cpu_s_M: st.pulses / cpu / 1e6,
});
