/**
 * How long a figure will train, from the registry alone, before it starts: the steps its pending runs
 * take (epochs left x steps per epoch) times a per-step cost measured once per model and backend, over
 * the workers that train side by side. Only a rough figure (within about 2x): it is for saying "this
 * takes an hour" before an hour goes, not for planning; the progress display's ETA, measured from the
 * run's own epochs, replaces it once training runs.
 */
import { effectiveBatchSize } from '../train/epochs';
import type { ResultStore } from './resultStore';
import { runId } from './runId';
import { stepsPerEpoch, trainingExamples } from './steps';
import type { ModelSpec, RunConfig } from './types';

/**
 * Milliseconds per SGD step at batch 16 on one worker, as `overhead + fullWidth x width^2` (a conv's
 * work grows with the square of its width; small nets pay a per-layer overhead). Measured on the 2-core
 * development machine with the wasm backend, Node 20.20 (README, "Measured on the 2-core development
 * machine" and the quick-scale table): full width from `npm run bench -- --vs-torch` (CNN 32.3 images/s,
 * ResNet 5.9, ResNet without BN 5.2); the overhead from the quick-scale wall times (cifar-cnn-dropout
 * 6,000 steps in 6.7 min, cifar-resnet 3,000 in 12.9 min, cifar-resnet-nobn 6,000 in 11.2 min, 2 workers),
 * toy models from toy-gaussian (12 runs x 1,000 steps in 22.5 s on 2 workers). The native engine
 * (tensorflow: tfjs-node on TensorFlow 2.21, one intra-op thread) on the third development machine of issue 13:
 * `npm run bench -- --models cnn --width w --backend tensorflow --threads 1 --steps 100` gave 8.32, 11.46 and
 * 24.64 ms at widths 0.125, 0.25 and 0.5; `--models resnet,resnet-nobn --steps 40` 45.5 and 32.5 ms at 0.125,
 * 72.5 and 45.0 at 0.25; `iwlab run toy-gaussian --scale quick --backend tensorflow` 12,000 steps in 19.5 s on
 * 2 workers. Bench steps leave out evaluation, so a figure takes longer: the quick figures are estimated at
 * 0.7-1.1 of their measured minutes (cifar-cnn 12.9 against 17.5, cifar-resnet-nobn 19.5 against 17.6).
 * Other backends: not measured yet (add a row from `npm run bench` on that machine).
 */
export const MS_PER_STEP: Readonly<Record<string, Readonly<Record<CostModel, { overhead: number; fullWidth: number }>>>> = {
  wasm: {
    toy: { overhead: 3.75, fullWidth: 0 },
    cnn: { overhead: 38.5, fullWidth: 456.5 },
    resnet: { overhead: 219, fullWidth: 2493 },
    'resnet-nobn': { overhead: 65, fullWidth: 3012 },
  },
  tensorflow: {
    toy: { overhead: 3.25, fullWidth: 0 },
    cnn: { overhead: 7.1, fullWidth: 69.9 },
    resnet: { overhead: 36.5, fullWidth: 576 },
    'resnet-nobn': { overhead: 28.3, fullWidth: 268 },
  },
};

type CostModel = 'toy' | 'cnn' | 'resnet' | 'resnet-nobn';

function costModel(model: ModelSpec): { kind: CostModel; width: number } {
  if (model.kind === 'cnn') return { kind: 'cnn', width: model.width };
  if (model.kind === 'resnet') return { kind: model.batchNorm ? 'resnet' : 'resnet-nobn', width: model.width };
  return { kind: 'toy', width: 1 };
}

export interface TrainingEstimate {
  /** Pending runs and the SGD steps they have left. */
  runs: number;
  steps: number;
  /** Wall seconds over `workers` side by side; undefined when the backend has no measured cost. */
  seconds?: number;
  workers: number;
  backend: string;
  /** Where the per-step cost comes from, in words. */
  source: string;
}

/**
 * The estimate for the runs the store does not hold yet (resumed runs count from their checkpoint);
 * with `untilEpoch` (iwlab run --until-epoch) only the epochs up to it count.
 */
export function estimateTraining(configs: readonly RunConfig[], store: ResultStore, options: { backend: string; workers: number; retrain?: boolean; untilEpoch?: number }): TrainingEstimate {
  const costs = MS_PER_STEP[options.backend];
  let runs = 0;
  let steps = 0;
  let milliseconds = 0;
  for (const config of configs) {
    const run = store.run(config.figure, runId(config));
    let done = 0;
    if (!options.retrain) {
      try {
        if (run.readMarker() !== undefined) continue;
        done = run.readCheckpointHeader()?.epoch ?? 0;
      } catch {
        // A damaged run is reported when it trains; here it only counts in full.
      }
    }
    const epochs = Math.max(0, Math.min(config.epochs, options.untilEpoch ?? config.epochs) - done);
    if (epochs === 0) continue;
    // The trainer's own count (src/experiments/steps.ts): full batches only, one step for full-batch descent.
    const batch = effectiveBatchSize(trainingExamples(config.data), config.optimizer.batchSize);
    const runSteps = epochs * stepsPerEpoch(config);
    runs += 1;
    steps += runSteps;
    if (costs !== undefined) {
      const { kind, width } = costModel(config.model);
      const cost = costs[kind];
      // Conv costs were measured at batch 16 and grow with the batch; the toy cost is per full-batch step.
      const batchScale = kind === 'toy' ? 1 : batch / 16;
      milliseconds += runSteps * (cost.overhead + cost.fullWidth * width * width) * batchScale;
    }
  }
  const workers = Math.max(1, Math.min(options.workers, runs));
  const source = costs === undefined ? `no per-step cost measured for the ${options.backend} backend yet` : `per-step costs measured with ${options.backend} on the 2-core development machine (src/experiments/trainingEstimate.ts)`;
  return { runs, steps, workers, backend: options.backend, source, ...(costs === undefined ? {} : { seconds: milliseconds / 1000 / workers }) };
}

/** Training longer than this is announced before it starts. */
export const ANNOUNCE_SECONDS = 10 * 60;
