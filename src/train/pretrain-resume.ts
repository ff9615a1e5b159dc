// A pre-training run's trainer options from one of its checkpoints, for the CLI's `pretrain --resume`, the
// app's saved runs and a run coming back from PyTorch alike: the checkpoint's model, batch, context, seed,
// schedule (its total steps included), weight decay and gradient clipping, so the steps after it are the ones
// the run would have taken. The weights, moments, step and data cursor are then restored by
// LmTrainer.restoreCheckpoint.
import type { Checkpoint } from './checkpoint.ts';
import type { LmTrainerOptions } from './lm-trainer.ts';

export type ResumedPretrainOptions = Required<
  Pick<LmTrainerOptions, 'config' | 'B' | 'T' | 'seed' | 'schedule' | 'weightDecay' | 'maxGradNorm'>
>;

export function resumedPretrainOptions(ckpt: Checkpoint): ResumedPretrainOptions {
  const { state } = ckpt;
  return {
    config: ckpt.config,
    B: state.B,
    T: state.T,
    seed: state.seed,
    schedule: state.schedule,
    weightDecay: state.weightDecay,
    maxGradNorm: state.maxGradNorm,
  };
}
