import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunConfig } from '../../src/experiments/types';
import { DataFrame } from 'danfojs-node';
import { csvFileName, metricTable, tableCsv, tableHtml, tableText } from '../../src/plots/tables';

function run(classWeight: number, seed: number, offsets: number[]) {
  const config = { variant: 'linear', classWeight, seed } as RunConfig;
  const metrics = offsets.map((boundaryOffset, i) => ({ epoch: i + 1, classWeight, seed, variant: 'linear', trainLoss: 0, trainAccuracy: 1, wallTime: 0, boundaryOffset }) as EpochMetrics);
  return { runId: `${classWeight}-${seed}`, config, status: 'done' as const, metrics, snapshots: [] };
}

test('metric table averages seeds and adds the spread across weights', () => {
  const result: FigureResult = {
    spec: toyGaussian,
    scale: 'quick',
    runs: [run(1 / 16, 0, [0.5, 0.3]), run(1 / 16, 1, [0.7, 0.1]), run(16, 0, [-0.4, -0.1])],
  };
  const rows = metricTable(result, 'boundaryOffset', [1, 2]).values as (string | number)[][];
  assert.deepEqual(rows, [
    ['linear', '1:16', 2, 0.6, 0.2],
    ['linear', '16:1', 1, -0.4, -0.1],
    ['linear', 'spread', 1, 1, 0.3],
  ]);
  assert.deepEqual(metricTable(result, 'boundaryOffset', [1]).columns, ['variant', 'weight', 'seeds', 'epoch 1']);
});

test('table html escapes text and right-aligns numbers', () => {
  const html = tableHtml(new DataFrame([{ name: '<b>', value: 1.5 }]), 'A & B');
  assert.match(html, /<caption>A &amp; B<\/caption>/);
  assert.match(html, /<th>name<\/th><th>value<\/th>/);
  assert.match(html, /<td style="text-align:left">&lt;b&gt;<\/td><td style="text-align:right">1.5<\/td>/);
});

test('every table carries a link that downloads its rows as CSV, quoted where needed, named after its caption', () => {
  const frame = new DataFrame([{ variant: 'cnn, l2', weight: '16:1', 'epoch 1': 0.5 }, { variant: 'say "hi"', weight: 'spread', 'epoch 1': 'n/a' }]);
  assert.equal(tableCsv(frame), 'variant,weight,epoch 1\r\n"cnn, l2",16:1,0.5\r\n"say ""hi""",spread,n/a\r\n');
  const html = tableHtml(frame, 'Out-of-domain fraction (base class)');
  const link = /<a download="out-of-domain-fraction-base-class\.csv" href="data:text\/csv;charset=utf-8,([^"]+)">/.exec(html);
  assert.ok(link, 'no CSV download link');
  assert.equal(decodeURIComponent(link[1]!), tableCsv(frame));
  assert.equal(csvFileName(undefined), 'table.csv');
});

test('a table with no rows is shown as text saying so (danfojs cannot draw it), with its columns', () => {
  const empty = new DataFrame([], { columns: ['figure', 'effect'] });
  assert.equal(tableText(empty, 'Effects'), 'Effects: no rows (columns: figure, effect)');
  assert.match(tableHtml(empty, 'Effects'), /<thead><tr><th>figure<\/th><th>effect<\/th><\/tr><\/thead>/);
  assert.match(tableText(new DataFrame([{ figure: 'cifar-cnn', effect: 0.1 }])), /cifar-cnn/);
});
