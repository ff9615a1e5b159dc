// Learning-rate schedules. Pre-training (GPT-1 §4.1): linear warm-up from 0, then cosine annealing to 0.
// Fine-tuning (§4.1): linear warm-up over 0.2% of training, then linear decay to 0. A minimum learning rate
// (a recipe setting, absent by default) makes either decay end there instead of at 0.

export interface Schedule {
  kind: 'warmup-cosine' | 'warmup-linear';
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Where the decay ends (absent: 0, the paper's). Kept out of the object when 0, so saved runs stay as they were. */
  minLr?: number;
}

/** The learning rate for 0-based step `step` (the update that makes step+1 updates in total). */
export function learningRate(s: Schedule, step: number): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  const fraction = s.kind === 'warmup-cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  // With no minimum this is exactly peak * fraction, the same bits as before minima existed: peak - 0 and
  // x + 0 are exact, and the cosine's factor 0.5 scales exactly wherever it is applied.
  const min = s.minLr ?? 0;
  return min + (s.peakLr - min) * fraction;
}

/** The schedule with its decay ending at `minLr` (0 or absent: unchanged, the key left out). */
export function withMinLr(schedule: Schedule, minLr: number | undefined): Schedule {
  return minLr ? { ...schedule, minLr } : schedule;
}

/** GPT-1 pre-training scaled to a run: warm-up 2000 of 100 epochs' updates, so a run warms up for ~1%. */
export function pretrainSchedule(peakLr: number, totalSteps: number, warmupSteps?: number): Schedule {
  const warmup = warmupSteps ?? Math.max(1, Math.round(totalSteps * 0.01));
  return { kind: 'warmup-cosine', peakLr, warmupSteps: Math.min(warmup, totalSteps), totalSteps };
}

/**
 * GPT-1 fine-tuning: warm-up over a fraction of training (the paper: 0.2%, at least one step; 0: none), then
 * linear decay to 0.
 */
export function finetuneSchedule(peakLr: number, totalSteps: number, warmup = 0.002): Schedule {
  const warmupSteps = warmup > 0 ? Math.min(totalSteps, Math.max(1, Math.round(totalSteps * warmup))) : 0;
  return { kind: 'warmup-linear', peakLr, warmupSteps, totalSteps };
}
