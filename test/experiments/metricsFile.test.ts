import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetricsAppender, readMetricsFile } from '../../src/experiments/metricsFile';
import type { EpochMetrics } from '../../src/experiments/types';

function line(epoch: number): EpochMetrics {
  return { epoch, classWeight: 4, seed: 0, variant: 'v', trainLoss: 1 / epoch, wallTime: epoch };
}

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-metrics-')), 'metrics.jsonl');
}

test('an appender opened on a torn last line cuts it off before appending', () => {
  const file = tempFile();
  fs.writeFileSync(file, JSON.stringify(line(1)) + '\n' + JSON.stringify(line(2)) + '\n{"epoch":3,"classWe');
  const appender = new MetricsAppender(file);
  appender.append(line(3));
  appender.close();
  assert.deepEqual(readMetricsFile(file), [line(1), line(2), line(3)]);
});

test('a file that is one torn line (no newline at all) is emptied; an intact file is left as it is', () => {
  const file = tempFile();
  fs.writeFileSync(file, '{"epoch":1,"cl');
  new MetricsAppender(file).close();
  assert.equal(fs.readFileSync(file, 'utf8'), '');
  const intact = JSON.stringify(line(1)) + '\n';
  fs.writeFileSync(file, intact);
  new MetricsAppender(file).close();
  assert.equal(fs.readFileSync(file, 'utf8'), intact);
});

test('a torn tail longer than the read-back block is found too', () => {
  const file = tempFile();
  fs.writeFileSync(file, JSON.stringify(line(1)) + '\n' + 'x'.repeat(10_000));
  const appender = new MetricsAppender(file);
  appender.append(line(2));
  appender.close();
  assert.deepEqual(readMetricsFile(file), [line(1), line(2)]);
});
