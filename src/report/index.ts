export { buildReport } from './build.js';
export type { ReportResult, BuildReportOptions } from './build.js';
export { charts, registerChart } from './chart.js';
export type { Chart, VegaLiteSpec } from './chart.js';
export { renderSvg, svgToPng } from './render.js';
export { resolutionLine, summarise } from './summary.js';
export type { Summary, SummaryLine } from './summary.js';
export { generationEstimates, tableII, robustnessTable, deltaTable } from './generation-table.js';
export type { GenerationEstimate, GenerationTableOptions, GenerationDelta } from './generation-table.js';
