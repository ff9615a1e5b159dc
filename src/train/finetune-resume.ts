// A fine-tuning run prepared again from one of its checkpoints and its task files, for the CLI's `finetune
// --resume` and the app's kept fine-tuned models alike: the checkpoint's batch, context, seed, λ, clipping,
// weight decay and schedule (its total steps included), so the steps after it are the ones the run would have
// taken. The weights, moments, step and data cursor are then restored by FinetuneTrainer.restoreCheckpoint.
import type { Checkpoint } from './checkpoint.ts';
import { type FinetuneOptions, type PreparedFinetune, prepareFinetune } from './finetune-prepare.ts';

/** The task files give another batch or context than the checkpoint was fine-tuned at. */
export class ResumeMismatchError extends Error {
  override name = 'ResumeMismatchError';
}

/** The run `ckpt` (a fine-tuning checkpoint, found at `where`) belongs to, on the task files in `settings`. */
export function resumedFinetune(
  where: string,
  ckpt: Checkpoint,
  settings: Omit<FinetuneOptions, 'init'>,
): PreparedFinetune {
  const { state } = ckpt;
  const model = { config: ckpt.config, params: ckpt.params, tokenizer: state.tokenizer };
  const prepared = prepareFinetune({
    ...settings,
    init: { kind: 'pretrained', model },
    batch: state.B,
    // The run's T was its longest (truncated) row: the same cut gives the same rows and the same T.
    context: state.T,
    seed: state.seed,
    auxLm: Number(state.notes.auxLm),
    maxGradNorm: state.maxGradNorm,
    weightDecay: state.weightDecay,
  });
  if (prepared.trainer.T !== state.T || prepared.trainer.B !== state.B) {
    throw new ResumeMismatchError(
      `these task files give batch ${prepared.trainer.B} x ${prepared.trainer.T} tokens, but ${where} was fine-tuned ` +
        `at ${state.B} x ${state.T}: resume with the files it was trained on`,
    );
  }
  // The schedule continues as it was planned (its total steps included).
  prepared.trainer.schedule = state.schedule;
  prepared.totalSteps = state.schedule.totalSteps;
  return prepared;
}
