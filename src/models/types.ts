import type * as tf from '@tensorflow/tfjs';

/** A model as the builders in src/models take it. */
export type ModelSpec =
  | { kind: 'linear'; inputSize: number }
  | { kind: 'mlp'; inputSize: number; hidden: number }
  | {
      kind: 'cnn';
      inChannels: number;
      /** Multiplies every conv and dense width (1 = the papers' 64/128, 512/128). */
      width: number;
      /** Dropout rate after each hidden dense layer; 0 = none. */
      dropout: number;
    }
  | { kind: 'resnet'; inChannels: number; width: number; batchNorm: boolean };

/** Whether a forward pass trains (dropout on, batch norm on batch statistics) or evaluates. */
export interface ForwardOptions {
  training: boolean;
  /** Seed for this step's dropout masks; the trainer derives it from the run's RNG. */
  dropoutSeed?: number;
}

/**
 * A model is plain tfjs variables and a forward function (no tfjs-layers), so the trainer, the
 * checkpoints and the wasm gradient kernels see exactly what is computed.
 */
export interface Model {
  readonly kind: string;
  /** Trainable parameters in a fixed order; checkpoints store them in this order. */
  readonly params: readonly tf.Variable[];
  /** Non-trainable state saved in checkpoints (batch-norm running mean and variance). */
  readonly buffers: readonly tf.Variable[];
  /** inputs: [batch, ...exampleShape] -> logits: [batch, 2]. Updates buffers when training. */
  apply(inputs: tf.Tensor, options: ForwardOptions): tf.Tensor2D;
  /**
   * The last layer and what it sees, for the implicit-bias check (small models only): features maps
   * inputs [batch, ...] to [batch, d]; head is the final dense layer (kernel [d, 2], bias [2]).
   */
  readonly lastLayer?: { features(inputs: tf.Tensor): tf.Tensor2D; kernel: tf.Variable; bias: tf.Variable };
  dispose(): void;
}
