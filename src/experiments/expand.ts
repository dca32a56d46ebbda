import { SCALES, isReferenceWeight, type DataSpec, type FigureSpec, type ModelSpec, type RunConfig, type ScaleName, type ScaleSettings, type Variant, type Weighting } from './types';

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

export class UnknownVariantError extends Error {
  override name = 'UnknownVariantError';
}

/** The figure's variants that a scale runs: all, or those its `variants` setting names (checked). */
function scaleVariants(spec: FigureSpec, scale: ScaleName, settings: ScaleSettings): readonly Variant[] {
  if (settings.variants === undefined) return spec.variants;
  const known = spec.variants.map((variant) => variant.id);
  const unknown = settings.variants.filter((id) => !known.includes(id));
  if (unknown.length > 0 || settings.variants.length === 0) {
    throw new UnknownVariantError(
      `Figure '${spec.id}' at scale '${scale}' names variants [${settings.variants.join(', ')}]; ` +
        `fix its 'variants' setting in src/experiments/figures.ts to a non-empty subset of [${known.join(', ')}].`,
    );
  }
  return spec.variants.filter((variant) => settings.variants!.includes(variant.id));
}

export class InvalidSeedsError extends Error {
  override name = 'InvalidSeedsError';
  constructor(value: unknown) {
    super(
      `Seeds must be a positive integer k (runs seeds 0..k-1 per weight), got '${String(value)}'. ` +
        "Set IWLAB_SEEDS, --seeds or the notebook's parameters cell to 1, 2, 3, ..., or leave it unset for the scale's own count.",
    );
  }
}

/**
 * Checks a seed count read at an edge (IWLAB_SEEDS, --seeds, a notebook's parameters cell, the seeds
 * option). Unset or empty means the scale's own count (undefined); anything else must be a positive integer.
 */
export function parseSeeds(value: string | number | undefined | null): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const seeds = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(seeds) || seeds < 1) throw new InvalidSeedsError(value);
  return seeds;
}

/** The number of seeds a figure runs at: the override k if given (checked), else the scale's own. */
export function resolveSeeds(spec: FigureSpec, scale: ScaleName, seeds?: number): number {
  const settings = spec.scales[scale] as ScaleSettings | undefined;
  if (settings === undefined) throw new UnknownScaleError(String(scale));
  return parseSeeds(seeds) ?? settings.seeds;
}

/**
 * Expands a figure at one scale into its independent runs: variant x class weight x seed, in that
 * order. Seeds are 0..k-1 (k the scale's seeds, or `seeds` to override it; the 1:1 runs at least the
 * scale's referenceSeeds), so adding seeds at a larger k reuses the runs already computed.
 */
export function expandRuns(spec: FigureSpec, scale: ScaleName, seeds?: number): RunConfig[] {
  const settings = spec.scales[scale] as ScaleSettings | undefined;
  if (settings === undefined) throw new UnknownScaleError(String(scale));
  const seedCount = resolveSeeds(spec, scale, seeds);
  const weights = settings.classWeights ?? spec.classWeights;
  const runs: RunConfig[] = [];
  for (const variant of scaleVariants(spec, scale, settings)) {
    const model = withWidth(variant.model ?? spec.model, settings.width);
    const data = { ...spec.data, ...variant.data, ...settings.data } as DataSpec;
    const optimizer = { ...spec.optimizer, ...variant.optimizer };
    if (settings.batchSize !== undefined) optimizer.batchSize = settings.batchSize;
    for (const classWeight of weights) {
      const realised = realiseWeight(spec, variant, data, classWeight);
      const seedsOfWeight = isReferenceWeight(classWeight) ? Math.max(seedCount, settings.referenceSeeds ?? 0) : seedCount;
      for (let seed = 0; seed < seedsOfWeight; seed++) {
        runs.push({
          figure: spec.id,
          scale,
          variant: variant.id,
          classWeight,
          ...realised,
          seed,
          model,
          loss: variant.loss ?? spec.loss,
          optimizer,
          epochs: settings.epochs,
          evaluations: spec.evaluations,
          ...(settings.evaluationCadence === 'every-epoch' ? { evaluationCadence: 'every-epoch' as const } : {}),
          snapshotEpochs: (settings.snapshotEpochs ?? []).filter((epoch) => epoch <= settings.epochs),
        });
      }
    }
  }
  return runs;
}

export class SubsamplingWeightError extends Error {
  override name = 'SubsamplingWeightError';
}

/**
 * The data a run trains on and, for a sub-sampling variant, its weighting: such a run keeps a fraction
 * w of the base class (data.baseClassFraction = w) and trains with 1:1 loss weights. A loss-weighted
 * run gets its data untouched and no weighting key, so its config (and run id) is what it always was.
 */
function realiseWeight(spec: FigureSpec, variant: Variant, data: DataSpec, classWeight: number): { data: DataSpec; weighting?: Weighting } {
  if (variant.weighting === undefined) return { data };
  const where = `figure '${spec.id}', variant '${variant.id}'`;
  if (!(classWeight > 0 && classWeight <= 1)) {
    throw new SubsamplingWeightError(
      `${where} realises class weight ${classWeight} by sub-sampling the base class, which can only keep a fraction in (0, 1]. ` +
        'Give this figure (or the scale\'s classWeights) weights <= 1, or swap its classes to down-weight the other class.',
    );
  }
  if (data.baseClassFraction !== undefined) {
    throw new SubsamplingWeightError(`${where} sets data.baseClassFraction and sub-samples by weight: remove baseClassFraction, the weight sets it.`);
  }
  return { data: { ...data, baseClassFraction: classWeight }, weighting: variant.weighting };
}

/** True for a figure that realises its weights both by the loss and by sub-sampling: its legends must say which. */
export function comparesWeightings(variants: readonly Variant[]): boolean {
  return variants.some((v) => v.weighting !== undefined);
}

function withWidth(model: ModelSpec, width: number | undefined): ModelSpec {
  if (width === undefined || (model.kind !== 'cnn' && model.kind !== 'resnet')) return model;
  return { ...model, width };
}

/** A short human label for a run: "mlp, weight 1:16, seed 0", or "subsampled, base class sub-sampled to 1/16, seed 0". */
export function runLabel(config: RunConfig): string {
  const weight = config.weighting === 'subsample' ? `base class ${formatFraction(config.classWeight)}` : `weight ${formatWeight(config.classWeight)}`;
  return `${config.variant}, ${weight}, seed ${config.seed}`;
}

/** What a sub-sampling run keeps of the base class: 1/16 -> "sub-sampled to 1/16", 1 -> "kept whole". */
export function formatFraction(fraction: number): string {
  if (Math.abs(fraction - 1) < 1e-9) return 'kept whole';
  const inverse = 1 / fraction;
  return `sub-sampled to ${Math.abs(inverse - Math.round(inverse)) < 1e-6 ? `1/${Math.round(inverse)}` : round(fraction)}`;
}

/** 16 -> "16:1", 1/16 -> "1:16", 1 -> "1:1" (base : other, as the papers write dog:cat). */
export function formatWeight(weight: number): string {
  if (weight >= 1) return `${round(weight)}:1`;
  return `1:${round(1 / weight)}`;
}

function round(value: number): string {
  return Number.isInteger(Math.round(value * 1e6) / 1e6) ? String(Math.round(value)) : value.toPrecision(3);
}
