/**
 * `grasp-hil/report` — reports are views of result rows: paired statistics (95 % CIs, Δ against a
 * baseline, verdicts), charts (a registry of Vega-Lite specs) rendered to SVG/PNG and an offline HTML
 * page. The renderer (vega, vega-lite, resvg) loads on first use.
 */
export { buildReport, charts, registerChart, renderSvg, svgToPng, summarise } from '../report/index.js';
export type { ReportResult, BuildReportOptions, Chart, VegaLiteSpec, Summary } from '../report/index.js';
export { reportExperiment } from '../experiment/index.js';
export { experimentStats, verdictOf } from '../results/index.js';
export type { ExperimentStats, Comparison, MethodEstimate, StatsOptions, Verdict } from '../results/index.js';
