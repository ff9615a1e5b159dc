// The comparison's run grid (variant × seed × learning rate), as plain data and pure choices: the seeds of a
// row, the layers-transferred sweep's variants (n = 0 … L, Figure 2 left), the held part of the TRAINING file
// the learning rate is chosen on (never the dev file), the choice itself, and how many runs the grid holds.
// runAblation (finetune-ablation.ts) walks it through its runVariant callback, so the CLI and the engine share it.
import type { TaskDataset } from '../data/tasks/task-types.ts';
import type { AblationVariant } from './finetune-ablation.ts';

/**
 * What a run of the grid is for: 'recipe' is the row's result with the settings' learning rate, 'trial' one
 * rate of the sweep (trained on the fit part, scored on the held part), 'tuned' the row with the chosen rate.
 */
export type AblationStage = 'recipe' | 'trial' | 'tuned';

/** The largest seed a run takes (a 32-bit unsigned integer, as the settings schema's seed field). */
const MAX_SEED = 2 ** 32 - 1;

/** Seeds of a row: the settings' seed, then the next ones. */
export function seedsOf(seed: number, count: number): number[] {
  if (seed + count - 1 > MAX_SEED) {
    throw new Error(
      `${count} seeds from seed ${seed} go past ${MAX_SEED}, the largest seed: choose a seed of at most ${MAX_SEED - count + 1}.`,
    );
  }
  return Array.from({ length: count }, (_, i) => seed + i);
}

/** Figure 2 left: embeddings only (n = 0) up to every layer (n = L). */
export function layerSweepVariants(nLayer: number): AblationVariant[] {
  return Array.from({ length: nLayer + 1 }, (_, n) => `transfer-${n}` as const);
}

/** One example in HELD_EVERY is held out. */
export const HELD_EVERY = 5;

export interface HeldOutSplit {
  fit: TaskDataset;
  held: TaskDataset;
  /** The split in words, for the output. */
  description: string;
}

/**
 * The training file's examples 5, 10, 15, … (every fifth, 1-based) held out, the rest to fit on: fixed by the
 * file alone (no seed) and spread over it, so a file sorted by label still gives a held part of every label.
 */
export function heldOutSplit(train: TaskDataset): HeldOutSplit {
  const n = train.examples.length;
  if (n < 2 * HELD_EVERY) {
    throw new Error(
      `${train.fileName}: the learning-rate sweep holds out every ${HELD_EVERY}th training example, which needs ` +
        `at least ${2 * HELD_EVERY} examples (it has ${n}); turn the sweep off or use a larger file.`,
    );
  }
  const isHeld = (i: number) => i % HELD_EVERY === HELD_EVERY - 1;
  const fit = train.examples.filter((_, i) => !isHeld(i));
  const held = train.examples.filter((_, i) => isHeld(i));
  return {
    fit: { ...train, fileName: `${train.fileName} (fit part)`, examples: fit },
    held: { ...train, fileName: `${train.fileName} (held part)`, examples: held },
    description:
      `learning rate chosen on every ${HELD_EVERY}th example of ${train.fileName} (${held.length} held out, ` +
      `trained on the other ${fit.length}; the dev file is never read for it)`,
  };
}

/** A sweep rate's score on the held part. */
export interface LrTrial {
  lr: number;
  value: number;
}

/** The rate with the best held-out score (the first of equals; a NaN score never wins). */
export function chooseLearningRate(trials: readonly LrTrial[]): number {
  let best: LrTrial | undefined;
  for (const trial of trials) {
    if (!Number.isFinite(trial.value)) continue;
    if (!best || trial.value > best.value) best = trial;
  }
  if (!best) throw new Error('No rate of the learning-rate sweep gave a finite score on the held part.');
  return best.lr;
}

/** The most runs the grid takes: per row, every seed with the recipe, one trial per rate, every seed tuned. */
export function plannedRuns(variants: number, seeds: number, lrSweep: number): number {
  return variants * (seeds + (lrSweep ? lrSweep + seeds : 0));
}
