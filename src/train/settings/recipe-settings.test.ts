// The recipe settings (gradient accumulation, warm-up, minimum learning rate, dropout, weight decay) through
// the schemas: each refused naming its field, the checks across fields, and absent settings giving the
// trainer today's recipe exactly.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../model/config.ts';
import { pretrainSchedule } from '../schedule.ts';
import { finetuneSettingsProblem, paperFinetuneSettings } from './finetune-settings.ts';
import {
  PRETRAIN_DEFAULTS,
  type PretrainSettings,
  pretrainRecipe,
  pretrainSettingsProblem,
} from './pretrain-settings.ts';

const tiny = (overrides: Partial<PretrainSettings> = {}): PretrainSettings => ({
  preset: 'tiny',
  config: PRESETS.tiny,
  T: 64,
  seed: 0,
  samplePrompt: '',
  ...PRETRAIN_DEFAULTS.tiny,
  ...overrides,
});
const problem = (o: Partial<PretrainSettings>) => pretrainSettingsProblem(tiny(o), 256);

describe('recipe settings', () => {
  it('refuses each recipe value out of range, naming the field', () => {
    expect(problem({ accumulation: 0 })).toEqual({
      where: 'accumulation',
      message: 'the gradient accumulation must be a whole number from 1 to 1,024 (got 0)',
    });
    expect(problem({ warmupSteps: -1 })?.where).toBe('warmupSteps');
    expect(problem({ minLr: 1 })?.where).toBe('minLr');
    expect(problem({ weightDecay: 2 })?.message).toBe('the weight decay must be a number from 0 to 1 (got 2)');
    expect(problem({ config: { ...PRESETS.tiny, residPdrop: 1 } })?.where).toBe('dropout');
  });

  it('checks across fields: accumulation divides the batch, the minimum is below the peak, warm-up fits the run', () => {
    expect(problem({ accumulation: 3 })).toEqual({
      where: 'accumulation',
      message: 'the gradient accumulation (3) must divide the batch (8) into equal micro-batches',
    });
    expect(problem({ accumulation: 4 })).toBeUndefined();
    expect(problem({ minLr: 2e-3 })?.message).toBe(
      'the minimum learning rate (0.002) is above the learning rate (0.001)',
    );
    expect(problem({ warmupSteps: 1001 })?.message).toBe('the warm-up (1001 steps) is longer than the run (1000)');
    expect(problem({ warmupSteps: null })).toBeUndefined();
    const finetune = paperFinetuneSettings('classification');
    expect(finetuneSettingsProblem({ ...finetune, accumulation: 5 })?.where).toBe('accumulation'); // batch 32
    expect(finetuneSettingsProblem({ ...finetune, accumulation: 4, dropout: null, minLr: 1e-5 })).toBeUndefined();
    expect(finetuneSettingsProblem({ ...finetune, minLr: 1e-4 })?.where).toBe('minLr'); // above 6.25e-5
  });

  it("gives the trainer today's recipe when the settings are absent, and the recipe when given", () => {
    expect(pretrainRecipe(tiny())).toEqual({
      schedule: pretrainSchedule(1e-3, 1000),
      accumulation: 1,
      weightDecay: 0.01,
    });
    expect(pretrainRecipe(tiny({ warmupSteps: 0, minLr: 1e-4, weightDecay: 0, accumulation: 2 }))).toEqual({
      schedule: { kind: 'warmup-cosine', peakLr: 1e-3, warmupSteps: 0, totalSteps: 1000, minLr: 1e-4 },
      accumulation: 2,
      weightDecay: 0,
    });
  });
});
