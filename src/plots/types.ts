/** A Plotly figure as plain JSON: what plotly.js `newPlot(div, data, layout, config)` takes. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Runs of the figure's results that failed (src/plots/runFailures.ts); never sent to plotly.js. */
  failedRuns?: RunFailures[];
}

/** The failed runs of one figure result. */
export interface RunFailures {
  figure: string;
  scale: string;
  /** Runs in the result, failed or not. */
  total: number;
  runs: { runId: string; error: string }[];
}
