/**
 * Failed runs travel with the figures drawn from them. runFigure never throws for a failed run (the
 * others' results stay usable), so a figure missing curves would otherwise look like a finished one:
 * eight notebooks once printed `ok` with every run failed on missing data. A figure built from a
 * result with failed runs carries them (PlotlyFigure.failedRuns, not part of what plotly.js draws);
 * showFigure prints one marked line on the cell's stderr, which a person sees in red and which the
 * notebook runners (scripts/lib/notebook.ts, scripts/jupyter_execute.py) treat as the cell failing.
 */
import type { FigureResult } from '../experiments/types';
import type { PlotlyFigure, RunFailures } from './types';

/** The start of the stderr line that says a shown figure lacks failed runs; the runners look for it. */
export const RUNS_FAILED_MARKER = '[iwlab] runs failed:';

/** The failed runs of each result (figures with none are left out). */
export function runFailures(results: FigureResult | readonly FigureResult[]): RunFailures[] {
  const list: readonly FigureResult[] = Array.isArray(results) ? results : [results as FigureResult];
  return list.flatMap((result) => {
    const failed = result.runs.filter((run) => run.status === 'failed');
    if (failed.length === 0) return [];
    return [{ figure: result.spec.id, scale: result.scale, total: result.runs.length, runs: failed.map((run) => ({ runId: run.runId, error: run.error ?? 'no error recorded' })) }];
  });
}

/** The figure, carrying the failed runs of the results it was drawn from (unchanged when none failed). */
export function withRunFailures(figure: PlotlyFigure, results: FigureResult | readonly FigureResult[]): PlotlyFigure {
  const failures = runFailures(results);
  return failures.length === 0 ? figure : { ...figure, failedRuns: failures };
}

/**
 * One line per figure with failed runs: how many of how many, and the distinct errors (a missing
 * dataset fails every run the same way, and its message names the command that installs it).
 */
export function runFailureLines(failures: readonly RunFailures[]): string[] {
  return failures.map((failure) => {
    const errors = [...new Set(failure.runs.map((run) => run.error))];
    const shown = errors.slice(0, 3).join(' | ');
    const more = errors.length > 3 ? ` (and ${errors.length - 3} other errors)` : '';
    return (
      `${RUNS_FAILED_MARKER} ${failure.runs.length} of ${failure.total} runs of ${failure.figure} (${failure.scale} scale) failed, ` +
      `so this figure lacks their curves. ${shown}${more}`
    );
  });
}
