/** A Plotly figure as plain JSON: what plotly.js `newPlot(div, data, layout, config)` takes. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}
