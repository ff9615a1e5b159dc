// What a model, batch and context will need from the GPU, before anything is allocated: the training
// program's memory plan (planTraining builds the same graph the trainer compiles) and whether this adapter's
// limits allow it, with the limit named when not.
import { GpuLimitError, type LimitNeeds, resolveRequiredLimits } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import { parameterCount, parameterTable } from '../model/params.ts';
import { planTraining } from '../train/lm-trainer.ts';
import { pretrainSchedule } from '../train/schedule.ts';
import { shapeProblems } from '../train/settings/pretrain-settings.ts';
import type { PlanSummary } from './protocol.ts';

export interface PlanResult {
  summary: PlanSummary;
  /** Device limits to request (present when the plan could be built). */
  needs?: LimitNeeds;
}

export function planSummary(
  config: Gpt1Config,
  B: number,
  T: number,
  adapterLimits?: Readonly<Record<string, number>>,
  /** Gradient accumulation: the activations planned are one micro-batch's. */
  accumulation?: number,
): PlanResult {
  const empty = { parameters: 0, bytesByClass: {}, totalBytes: 0 };
  const problems = shapeProblems(config, B, T);
  if (problems.length) return { summary: { ...empty, fits: false, problem: problems.join('; ') } };
  const parameters = parameterCount(parameterTable(config));
  let plan: ReturnType<typeof planTraining>;
  try {
    plan = planTraining({ config, B, T, seed: 0, schedule: pretrainSchedule(1e-3, 1), accumulation });
  } catch (error) {
    return { summary: { ...empty, parameters, fits: false, problem: (error as Error).message } };
  }
  const summary: PlanSummary = {
    parameters,
    bytesByClass: { ...plan.plan.bytesByClass },
    totalBytes: plan.plan.totalBytes,
    fits: true,
  };
  if (adapterLimits) {
    try {
      resolveRequiredLimits(plan.needs, adapterLimits, `a ${config.nLayer}-layer model at batch ${B} x ${T}`);
    } catch (error) {
      if (!(error instanceof GpuLimitError)) throw error;
      summary.fits = false;
      summary.problem = error.message;
    }
  }
  return { summary, needs: plan.needs };
}
