// Schedules: warm-up ramps, the cosine and linear decay shapes, and the end at zero.
import { describe, expect, it } from 'vitest';
import { finetuneSchedule, learningRate, pretrainSchedule } from './schedule.ts';

describe('learning-rate schedules', () => {
  it('warm-up then cosine to zero', () => {
    const s = { kind: 'warmup-cosine', peakLr: 1e-3, warmupSteps: 10, totalSteps: 110 } as const;
    expect(learningRate(s, 0)).toBeCloseTo(1e-4, 15);
    expect(learningRate(s, 9)).toBeCloseTo(1e-3, 15);
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 15);
    expect(learningRate(s, 60)).toBeCloseTo(0.5e-3, 15); // halfway through the decay: cos(pi/2) = 0
    expect(learningRate(s, 110)).toBeCloseTo(0, 15);
    expect(learningRate(s, 500)).toBeCloseTo(0, 15);
  });

  it('fine-tuning: 0.2% warm-up, linear decay', () => {
    const s = finetuneSchedule(6.25e-5, 1000);
    expect(s.warmupSteps).toBe(2);
    expect(learningRate(s, 0)).toBeCloseTo(3.125e-5, 15);
    expect(learningRate(s, 2)).toBeCloseTo(6.25e-5, 15);
    expect(learningRate(s, 501)).toBeCloseTo(6.25e-5 / 2, 15);
    expect(finetuneSchedule(1, 10).warmupSteps).toBe(1);
    expect(finetuneSchedule(1, 10, 0).warmupSteps).toBe(0); // no warm-up: the first step at the peak
    expect(learningRate(finetuneSchedule(1, 10, 0), 0)).toBe(1);
    expect(finetuneSchedule(1, 10, 0.25).warmupSteps).toBe(3); // round(2.5)
    expect(finetuneSchedule(1, 4, 0.99).warmupSteps).toBe(4); // never past the last step
  });

  it('pretraining warms up for about 1% of the run', () => {
    expect(pretrainSchedule(2.5e-4, 5000).warmupSteps).toBe(50);
    expect(pretrainSchedule(2.5e-4, 20).warmupSteps).toBe(1);
  });
});
