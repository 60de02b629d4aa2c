/**
 * Rendering a Vega-Lite spec without a browser: compile to Vega, run a headless View, take its SVG,
 * and rasterise the SVG to PNG with resvg (system fonts; the specs ask for DejaVu Sans).
 *
 * The renderer's libraries (vega, vega-lite: ≈ 270 modules; resvg's native binding) load on the first
 * chart, not when grasp-hil is imported. Vega's warnings go to `log` when given (the run's log channel),
 * prefixed `report: vega:`; else to the console, as vega does.
 */
import { createRequire } from 'node:module';
import type * as VegaModule from 'vega';
import type * as VegaLiteModule from 'vega-lite';
import type * as ResvgModule from '@resvg/resvg-js';
import type { VegaLiteSpec } from './chart.js';

const require = createRequire(import.meta.url);
let libraries: Promise<{ vega: typeof VegaModule; vegaLite: typeof VegaLiteModule }> | null = null;

/** vega and vega-lite, imported once, on first use. */
function renderer(): Promise<{ vega: typeof VegaModule; vegaLite: typeof VegaLiteModule }> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return libraries;
}

/** Compiles a Vega-Lite spec; errors name the chart. */
function toVega(vegaLite: typeof VegaLiteModule, spec: VegaLiteSpec, chartId: string): VegaModule.Spec {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return vegaLite.compile(spec as any).spec as VegaModule.Spec;
  } catch (e) {
    throw new Error(`chart '${chartId}': Vega-Lite could not compile its spec: ${(e as Error).message}`);
  }
}

/** A vega logger that writes one line per message through `log`, at vega's Warn level unless changed. */
function lineLogger(vega: typeof VegaModule, chartId: string, log: (line: string) => void): VegaModule.LoggerInterface {
  let level: number = vega.Warn;
  const at = (min: number, kind: string) => (...args: readonly unknown[]) => {
    if (level >= min) log(`report: vega ${kind} (chart '${chartId}'): ${args.map(String).join(' ')}`);
    return logger;
  };
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: at(vega.Error, 'error'),
    warn: at(vega.Warn, 'warning'),
    info: at(vega.Info, 'info'),
    debug: at(vega.Debug, 'debug'),
  } as unknown as VegaModule.LoggerInterface;
  return logger;
}

/** SVG text of a Vega-Lite spec; vega's warnings go through `log` when given. */
export async function renderSvg(spec: VegaLiteSpec, chartId: string, log?: (line: string) => void): Promise<string> {
  const { vega, vegaLite } = await renderer();
  const view = new vega.View(vega.parse(toVega(vegaLite, spec, chartId)), {
    renderer: 'none', logLevel: vega.Warn, ...(log ? { logger: lineLogger(vega, chartId, log) } : {}),
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG at `scale` × its size, on a white background. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const { Resvg } = require('@resvg/resvg-js') as typeof ResvgModule;
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
