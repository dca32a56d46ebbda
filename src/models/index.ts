import type { ModelSpec } from '../experiments/types';
import type { Rng } from '../train/rng';
import { buildLinear, buildMlp } from './mlp';
import type { Model } from './types';

/** Builds any model of the registry; the switch is exhaustive over ModelSpec['kind']. */
export function buildModel(spec: ModelSpec, rng: Rng): Model {
  switch (spec.kind) {
    case 'linear':
      return buildLinear(spec, rng);
    case 'mlp':
      return buildMlp(spec, rng);
    case 'cnn':
    case 'resnet':
      throw new Error(`Model kind '${spec.kind}' is not wired in yet.`);
  }
}
