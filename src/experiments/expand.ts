import { SCALES, type DataSpec, type FigureSpec, type ModelSpec, type RunConfig, type ScaleName, type ScaleSettings } from './types';

export class UnknownScaleError extends Error {
  override name = 'UnknownScaleError';
  constructor(scale: string) {
    super(`Unknown scale '${scale}'; use one of ${SCALES.join(', ')} (IWLAB_SCALE, --scale or the notebook's parameters cell).`);
  }
}

/** Checks a scale name read at an edge (IWLAB_SCALE, --scale, a notebook's parameters cell). */
export function parseScale(value: string): ScaleName {
  if (!(SCALES as readonly string[]).includes(value)) throw new UnknownScaleError(value);
  return value as ScaleName;
}

/**
 * Expands a figure at one scale into its independent runs: variant x class weight x seed, in that
 * order. Seeds are 0..k-1, so adding seeds at a larger k reuses the runs already computed.
 */
export function expandRuns(spec: FigureSpec, scale: ScaleName): RunConfig[] {
  const settings = spec.scales[scale] as ScaleSettings | undefined;
  if (settings === undefined) throw new UnknownScaleError(String(scale));
  const weights = settings.classWeights ?? spec.classWeights;
  const runs: RunConfig[] = [];
  for (const variant of spec.variants) {
    const model = withWidth(variant.model ?? spec.model, settings.width);
    const data = { ...spec.data, ...variant.data, ...settings.data } as DataSpec;
    const optimizer = { ...spec.optimizer, ...variant.optimizer };
    if (settings.batchSize !== undefined) optimizer.batchSize = settings.batchSize;
    for (const classWeight of weights) {
      for (let seed = 0; seed < settings.seeds; seed++) {
        runs.push({
          figure: spec.id,
          scale,
          variant: variant.id,
          classWeight,
          seed,
          data,
          model,
          loss: variant.loss ?? spec.loss,
          optimizer,
          epochs: settings.epochs,
          evaluations: spec.evaluations,
          snapshotEpochs: (settings.snapshotEpochs ?? []).filter((epoch) => epoch <= settings.epochs),
        });
      }
    }
  }
  return runs;
}

function withWidth(model: ModelSpec, width: number | undefined): ModelSpec {
  if (width === undefined || (model.kind !== 'cnn' && model.kind !== 'resnet')) return model;
  return { ...model, width };
}

/** A short human label for a run: "mlp, weight 1:16, seed 0". */
export function runLabel(config: RunConfig): string {
  return `${config.variant}, weight ${formatWeight(config.classWeight)}, seed ${config.seed}`;
}

/** 16 -> "16:1", 1/16 -> "1:16", 1 -> "1:1" (base : other, as the papers write dog:cat). */
export function formatWeight(weight: number): string {
  if (weight >= 1) return `${round(weight)}:1`;
  return `1:${round(1 / weight)}`;
}

function round(value: number): string {
  return Number.isInteger(Math.round(value * 1e6) / 1e6) ? String(Math.round(value)) : value.toPrecision(3);
}
