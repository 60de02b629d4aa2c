/** Result rows, their append-only store and histograms: what runs write and reports read. */
export type { ResultRow, RowKind, Histogram } from './row.js';
export { ResultStore } from './store.js';
export type { OpenedStore } from './store.js';
export { histogram, parameterHistograms } from './histogram.js';
