/**
 * Energy against accuracy: one point per method × hardware condition (profile, t, compensation,
 * periphery sweep cell) whose rows carry the energy estimate. The metric and its 95 % CI come from
 * the paired statistics (src/results/stats.ts); energy, latency and area per inference are the
 * means over the condition's rows (chips of different seeds differ only in the cell-read energy).
 * Pareto-optimal points: no other point has lower-or-equal energy and a higher-or-equal metric
 * with one of the two strictly better.
 */
import { conditionOf, entryOf, type ExperimentStats, type ResultRow } from '../results/index.js';

export interface EnergyPoint {
  entryId: string;
  method: string;
  profile: string;
  condition: string;
  metricName: string;
  metric: number;
  lo: number | null;
  hi: number | null;
  /** Joules, seconds, m² per inference (means over the rows). */
  energyJ: number;
  latencyS: number | null;
  areaM2: number | null;
  runs: number;
  pareto: boolean;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The energy/metric points of the rows' hardware conditions (empty when no row carries energy). */
export function energyPoints(rows: ResultRow[], stats: ExperimentStats): EnergyPoint[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.kind !== 'hardware' || num(r.energy?.totalJ) === null) continue;
    const k = `${conditionOf(r).key}\u0000${entryOf(r)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const points: EnergyPoint[] = [];
  for (const e of stats.estimates) {
    const rs = groups.get(`${e.condition.key}\u0000${e.entryId}`);
    if (!rs) continue;
    const of = (f: string): number | null => {
      const xs = rs.map((r) => num(r.energy?.[f])).filter((x): x is number => x !== null);
      return xs.length ? mean(xs) : null;
    };
    points.push({
      entryId: e.entryId, method: e.label, profile: e.condition.profile ?? '', condition: e.condition.label, metricName: e.metricName,
      metric: e.estimate, lo: e.ci?.[0] ?? null, hi: e.ci?.[1] ?? null,
      energyJ: of('totalJ') as number, latencyS: of('latencyS'), areaM2: of('areaM2'), runs: e.runs, pareto: false,
    });
  }
  markPareto(points);
  return points;
}

/** Sets `pareto` on each point: true unless another is no costlier and no worse, and better in one of the two. */
export function markPareto<P extends { energyJ: number; metric: number; pareto: boolean }>(points: P[]): P[] {
  for (const p of points) {
    p.pareto = !points.some((q) => q.energyJ <= p.energyJ && q.metric >= p.metric && (q.energyJ < p.energyJ || q.metric > p.metric));
  }
  return points;
}

/**
 * The summary's line: the range of energy per inference and the cheapest point whose metric lies
 * within the best point's CI (or equals it, without CIs). Null when no row carries energy.
 */
export function energySummaryLine(points: EnergyPoint[]): string | null {
  if (points.length === 0) return null;
  const nj = (j: number) => `${Number((j * 1e9).toPrecision(3))} nJ`;
  const lo = Math.min(...points.map((p) => p.energyJ));
  const hi = Math.max(...points.map((p) => p.energyJ));
  const best = points.reduce((a, b) => (b.metric > a.metric || (b.metric === a.metric && b.energyJ < a.energyJ) ? b : a));
  const floor = best.lo ?? best.metric;
  const cheapest = points.filter((p) => p.metric >= floor).reduce((a, b) => (b.energyJ < a.energyJ ? b : a));
  const where = (p: EnergyPoint) => `${p.method} on ${p.profile} ${p.condition}: ${p.metricName} ${p.metric.toFixed(4)}, ${nj(p.energyJ)}`;
  const within = best.lo !== null ? "within the best one's CI" : 'equal to the best';
  return `Energy per inference (an estimate; \`grasp-hil device energy\` lists its parameters and sources): ${nj(lo)} to ${nj(hi)} over the hardware conditions. Best ${best.metricName}: ${where(best)}; cheapest ${within}: ${where(cheapest)}. Chart: energy-accuracy.`;
}
