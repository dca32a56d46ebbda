import type { DataSpec, FigureData } from './types';
import { DEFAULT_DATA_DIR } from './dataDir';
import { loadImageData } from './images';
import { toyClassMeans, toySource, toyTrainingData } from './toyGaussian';

export interface LoadDataOptions {
  /** Where datasets live; default <repo>/data. */
  dataDir?: string;
  /** Seeds generated data and subsets: the run's seed, so each seed sees its own sample. */
  seed: number;
}

/** Loads (or generates) what one run trains and evaluates on. */
export async function loadFigureData(spec: DataSpec, options: LoadDataOptions): Promise<FigureData> {
  switch (spec.source) {
    case 'toy-gaussian': {
      // The toy figures draw boundaries on their training data; no test sets. A sub-sampled set measures
      // its boundary along the full set's class means, as the weighted runs of the same seed do.
      const { data, full } = toyTrainingData(spec, options.seed);
      return data === full ? { train: toySource(data) } : { train: toySource(data), classMeans: toyClassMeans(full) };
    }
    case 'cifar10':
    case 'mnist':
      // Every class weight of one seed sees the same subsets, so curves differ by weight alone.
      return loadImageData(spec, { dataDir: options.dataDir ?? DEFAULT_DATA_DIR, seed: options.seed }); // derives its own subset streams
  }
}
