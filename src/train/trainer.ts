import * as tf from '@tensorflow/tfjs';
import type { FigureData } from '../data/types';
import { buildModel } from '../models/index';
import type { Model } from '../models/types';
import { accuracy, baseClassFraction, boundaryCrossing, classMeans, classRecall, implicitBias, isEvaluatedEpoch, mean, predict, predictLabels } from './evaluate';
import { Rng, streamSeed, type RngState } from '../rng';
import { effectiveBatchSize, stepsPerEpoch as stepsOfEpoch } from './epochs';
import { trainStep } from './step';
import type { EpochEvaluation, Snapshot, TrainConfig, TrainEpochMetrics, TrainResult } from './types';

export interface SavedTensor {
  shape: number[];
  values: Float32Array;
}

/** Everything needed to continue a run exactly where it stopped (after `epoch` finished). */
export interface Checkpoint {
  epoch: number;
  params: SavedTensor[];
  buffers: SavedTensor[];
  /** Plain SGD keeps no state; the field exists so a momentum optimiser can add some. */
  optimizer: SavedTensor[];
  rng: RngState;
  wallTime: number;
  snapshots: Snapshot[];
}

export interface TrainHooks {
  /** After each epoch's evaluation; awaited, so a store can append and flush the line first. */
  onEpoch?(metrics: TrainEpochMetrics): void | Promise<void>;
  /** After onEpoch; awaited. */
  onCheckpoint?(checkpoint: Checkpoint): void | Promise<void>;
  /** Continue from here: epochs 1..checkpoint.epoch are done and their metrics given. */
  resumeFrom?: { checkpoint: Checkpoint; metrics: TrainEpochMetrics[] };
  /** Checked between steps; an aborted run returns status 'stopped' with the epochs it finished. */
  signal?: AbortSignal;
  /**
   * Stop after this epoch (when it is before config.epochs): the run returns status 'stopped' with
   * its checkpoint at that epoch, resumable to config.epochs. Not part of the config: the epochs it
   * trains are the same numbers an uninterrupted run gets (the last epoch is still config.epochs, so
   * the cadence evaluates the same epochs).
   */
  untilEpoch?: number;
}

/** What a diverged run keeps, in words: at epoch 1 there is nothing to keep (not "Epochs 1-0"). */
function keptEpochs(finished: number): string {
  if (finished <= 0) return 'No epoch finished before it, so nothing is kept';
  return finished === 1 ? 'Epoch 1 is kept' : `Epochs 1-${finished} are kept`;
}

/** A non-finite loss: the run stops, its finished epochs stay. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(
      `Training diverged at epoch ${epoch} (loss ${loss}). ${keptEpochs(epoch - 1)}; ` +
        'lower the learning rate or the class-weight ratio for this figure and rerun it.',
    );
  }
}

/**
 * Trains one run: restore or initialise; then per epoch shuffle with the run's RNG, take SGD steps on
 * the weighted loss, evaluate, report the metrics line, snapshot and checkpoint. Divergence ends the
 * run with status 'failed' and keeps every finished epoch.
 */
export async function train(config: TrainConfig, data: FigureData, hooks: TrainHooks = {}): Promise<TrainResult> {
  const rng = new Rng(streamSeed(config.seed, 'train'));
  const model = buildModel(config.model, rng); // initialisation draws from rng first, resumed or not
  const metrics: TrainEpochMetrics[] = [];
  const snapshots: Snapshot[] = [];
  let startEpoch = 0;
  let wallTimeBefore = 0;
  if (hooks.resumeFrom) {
    const { checkpoint } = hooks.resumeFrom;
    restoreCheckpoint(model, rng, checkpoint);
    metrics.push(...hooks.resumeFrom.metrics.filter((line) => line.epoch <= checkpoint.epoch));
    snapshots.push(...checkpoint.snapshots);
    startEpoch = checkpoint.epoch;
    wallTimeBefore = checkpoint.wallTime;
  } else if (config.snapshotEpochs.includes(0)) {
    snapshots.push(snapshot(model, 0));
  }
  const result = (status: TrainResult['status'], error?: string): TrainResult => {
    model.dispose();
    return { status, metrics, snapshots, ...(error === undefined ? {} : { error }) };
  };

  const { train: trainSet } = data;
  const batchSize = effectiveBatchSize(trainSet.count, config.optimizer.batchSize);
  const stepsPerEpoch = stepsOfEpoch(trainSet.count, config.optimizer.batchSize); // drop the last partial batch, as NYU
  const means = config.evaluations.includes('boundary') ? (data.classMeans ?? classMeans(trainSet)) : undefined;
  const started = performance.now();
  const lastEpoch = Math.min(config.epochs, hooks.untilEpoch ?? config.epochs);

  for (let epoch = startEpoch + 1; epoch <= lastEpoch; epoch++) {
    // Shuffle with the run's RNG: the order, like everything random, is part of the checkpoint.
    const order = rng.permutation(trainSet.count);
    let lossSum = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      if (hooks.signal?.aborted) return result('stopped');
      const indices = order.subarray(step * batchSize, (step + 1) * batchSize);
      const loss = tf.tidy(() => {
        const labels = tf.tensor1d(Array.from(indices, (i) => trainSet.labels[i]!), 'int32');
        return trainStep(model, { inputs: trainSet.batch(indices), labels }, config.lossWeights, config.loss, config.optimizer, rng.nextUint32());
      });
      if (!Number.isFinite(loss)) return result('failed', new DivergenceError(epoch, loss).message);
      lossSum += loss;
      if (step % 50 === 49) await yieldToEventLoop(); // lets Ctrl-C, progress and aborts through
    }

    const wallTime = wallTimeBefore + (performance.now() - started) / 1000;
    const line: TrainEpochMetrics = { epoch, trainLoss: lossSum / stepsPerEpoch, wallTime, ...evaluateEpoch(model, data, config, means, epoch), peakMemoryMiB: peakMemoryMiB() };
    metrics.push(line);
    await hooks.onEpoch?.(line);
    if (config.snapshotEpochs.includes(epoch)) snapshots.push(snapshot(model, epoch));
    if (hooks.onCheckpoint) await hooks.onCheckpoint(saveCheckpoint(model, rng, epoch, line.wallTime, snapshots));
    await yieldToEventLoop();
  }
  return result(Math.max(startEpoch, lastEpoch) < config.epochs ? 'stopped' : 'done');
}

/** The process's resident-set high-water mark in MiB (maxRSS is in KiB on every platform Node supports). */
function peakMemoryMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** What the config's evaluations measure after `epoch`: nothing between the cadence's epochs. */
function evaluateEpoch(model: Model, data: FigureData, config: TrainConfig, means: [[number, number], [number, number]] | undefined, epoch: number): EpochEvaluation {
  const line: EpochEvaluation = {};
  // Log-spaced (every epoch up to 20, then 20 per decade) where predicting every test image each
  // epoch would cost more than training on a small training set; every epoch at the paper scale.
  if (!isEvaluatedEpoch(config.evaluationCadence, epoch, config.epochs)) return line;
  line.trainAccuracy = accuracy(predictLabels(model, data.train), data.train.labels);
  // The fractions' companions, measured on the same predictions; assigned after the older fields so
  // the stored key order stays (EpochEvaluation).
  const companions: EpochEvaluation = {};
  if (config.evaluations.includes('fractions')) {
    if (data.inDomain) {
      const inDomain = predict(model, data.inDomain, config.loss);
      line.inDomainFraction = baseClassFraction(inDomain.labels);
      companions.inDomainAccuracy = accuracy(inDomain.labels, data.inDomain.labels);
      companions.baseClassRecall = classRecall(inDomain.labels, data.inDomain.labels, 1);
      companions.otherClassRecall = classRecall(inDomain.labels, data.inDomain.labels, 0);
      companions.inDomainBaseProbability = mean(inDomain.baseProbability);
      companions.inDomainLoss = mean(inDomain.loss!);
    }
    if (data.outOfDomain) {
      const outOfDomain = predict(model, data.outOfDomain);
      line.outOfDomainFraction = baseClassFraction(outOfDomain.labels);
      companions.outOfDomainBaseProbability = mean(outOfDomain.baseProbability);
    }
  }
  if (means) {
    const crossing = boundaryCrossing(model, means[0], means[1]);
    if (crossing) {
      line.boundaryAngle = crossing.angle;
      line.boundaryOffset = crossing.offset;
    }
  }
  if (config.evaluations.includes('max-margin')) {
    const bias = implicitBias(model, data.train);
    if (bias) {
      line.maxMarginAngle = bias.angle;
      line.modelMargin = bias.modelMargin;
      line.svmMargin = bias.svmMargin;
    }
  }
  // Fixed order whichever sets exist: accuracy, recalls, in-domain probability, out-of-domain probability, loss.
  const order = ['inDomainAccuracy', 'baseClassRecall', 'otherClassRecall', 'inDomainBaseProbability', 'outOfDomainBaseProbability', 'inDomainLoss'] as const;
  for (const key of order) if (companions[key] !== undefined) line[key] = companions[key];
  return line;
}

export function saveCheckpoint(model: Model, rng: Rng, epoch: number, wallTime: number, snapshots: Snapshot[]): Checkpoint {
  const save = (variable: tf.Variable): SavedTensor => ({ shape: variable.shape.slice(), values: variable.dataSync() as Float32Array });
  return { epoch, params: model.params.map(save), buffers: model.buffers.map(save), optimizer: [], rng: rng.state(), wallTime, snapshots: snapshots.slice() };
}

function restoreCheckpoint(model: Model, rng: Rng, checkpoint: Checkpoint): void {
  const load = (variables: readonly tf.Variable[], saved: SavedTensor[], what: string) => {
    if (variables.length !== saved.length) {
      throw new Error(`Checkpoint has ${saved.length} ${what}, the model ${variables.length}: it belongs to another model. Rerun with --retrain.`);
    }
    variables.forEach((variable, i) => tf.tidy(() => variable.assign(tf.tensor(saved[i]!.values, saved[i]!.shape))));
  };
  load(model.params, checkpoint.params, 'parameter tensors');
  load(model.buffers, checkpoint.buffers, 'buffers');
  rng.restore(checkpoint.rng);
}

function snapshot(model: Model, epoch: number): Snapshot {
  return { epoch, params: model.params.map((p) => ({ shape: p.shape.slice(), values: Array.from(p.dataSync()) })) };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
