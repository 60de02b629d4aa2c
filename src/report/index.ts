export { buildReport } from './build.js';
export type { ReportResult } from './build.js';
export { charts, registerChart } from './chart.js';
export type { Chart, VegaLiteSpec } from './chart.js';
export { renderSvg, svgToPng } from './render.js';
export { summarise } from './summary.js';
export type { SummaryLine } from './summary.js';
