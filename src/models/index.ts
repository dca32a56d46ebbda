import type { Model, ModelSpec } from './types';
import type { Rng } from '../rng';
import { buildCnn } from './cnn';
import { buildLinear, buildMlp } from './mlp';
import { buildResnet } from './resnet';

/** Builds any model of the registry; the switch is exhaustive over ModelSpec['kind']. */
export function buildModel(spec: ModelSpec, rng: Rng): Model {
  switch (spec.kind) {
    case 'linear':
      return buildLinear(spec, rng);
    case 'mlp':
      return buildMlp(spec, rng);
    case 'cnn':
      return buildCnn(spec, rng);
    case 'resnet':
      return buildResnet(spec, rng);
  }
}
