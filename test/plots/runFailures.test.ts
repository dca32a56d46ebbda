// Failed runs travel with the figures drawn from them, and showFigure says so on stderr with the runners' marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnn } from '../../src/experiments/figures';
import type { FigureResult, RunResult } from '../../src/experiments/types';
import { plotBundle, PLOTLY_MIME } from '../../src/plots/display';
import { fractionFigure } from '../../src/plots/fractions';
import { overviewFigure } from '../../src/plots/overview';
import { RUNS_FAILED_MARKER, runFailureLines, runFailures } from '../../src/plots/runFailures';

function result(failed: number): FigureResult {
  const runs: RunResult[] = expandRuns(cifarCnn, 'smoke').map((config, i) =>
    i < failed
      ? { runId: `r${i}`, config, status: 'failed', metrics: [], snapshots: [], error: 'MissingDataError: CIFAR-10 is not installed in data. Run `npm run data -- cifar10`.' }
      : { runId: `r${i}`, config, status: 'done', metrics: [], snapshots: [] },
  );
  return { spec: cifarCnn, scale: 'smoke', runs };
}

test('a figure of a result with failed runs carries them; one without carries nothing', () => {
  const total = result(0).runs.length;
  assert.equal(fractionFigure(result(0)).failedRuns, undefined);
  const figure = fractionFigure(result(total));
  assert.deepEqual(
    figure.failedRuns?.map((f) => [f.figure, f.scale, f.total, f.runs.length]),
    [['cifar-cnn', 'smoke', total, total]],
  );
  assert.equal(overviewFigure([result(0), result(1)]).failedRuns?.[0]?.runs.length, 1);
});

test('the marked line says how many runs failed and why, once per distinct error', () => {
  const lines = runFailureLines(runFailures(result(2)));
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.startsWith(`${RUNS_FAILED_MARKER} 2 of ${result(0).runs.length} runs of cifar-cnn (smoke scale) failed`));
  assert.equal(lines[0]!.split('MissingDataError').length, 2, 'the shared error is named once');
  assert.match(lines[0]!, /npm run data -- cifar10/);
});

test('the failed runs stay out of what plotly.js is given', () => {
  const bundle = plotBundle(fractionFigure(result(1)), 'f');
  assert.deepEqual(Object.keys(bundle.data[PLOTLY_MIME] as object).sort(), ['config', 'data', 'layout']);
});
