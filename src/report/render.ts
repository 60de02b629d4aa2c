/**
 * Rendering a Vega-Lite spec without a browser: compile to Vega, run a headless View, take its SVG,
 * and rasterise the SVG to PNG with resvg (system fonts; the specs ask for DejaVu Sans).
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { VegaLiteSpec } from './chart.js';

/** Compiles a Vega-Lite spec; errors name the chart. */
export function toVega(spec: VegaLiteSpec, chartId: string): vega.Spec {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return compile(spec as any).spec as vega.Spec;
  } catch (e) {
    throw new Error(`chart '${chartId}': Vega-Lite could not compile its spec: ${(e as Error).message}`);
  }
}

/** SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: VegaLiteSpec, chartId: string): Promise<string> {
  const view = new vega.View(vega.parse(toVega(spec, chartId)), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG at `scale` × its size, on a white background. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
