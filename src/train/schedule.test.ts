// Schedules: warm-up ramps, the cosine and linear decay shapes, and the end at zero or at a minimum.
import { describe, expect, it } from 'vitest';
import { finetuneSchedule, learningRate, pretrainSchedule, withMinLr } from './schedule.ts';

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

  it('a minimum learning rate ends either decay there, and no minimum keeps the bits of the plain decay', () => {
    const cosine = withMinLr({ kind: 'warmup-cosine', peakLr: 1e-3, warmupSteps: 10, totalSteps: 110 }, 1e-4);
    expect(learningRate(cosine, 5)).toBeCloseTo(6e-4, 15); // warm-up unchanged: 1e-3 * 6 / 10
    expect(learningRate(cosine, 60)).toBeCloseTo(5.5e-4, 15); // halfway: 1e-4 + 0.9e-3 / 2
    expect(learningRate(cosine, 110)).toBeCloseTo(1e-4, 15);
    expect(learningRate(cosine, 500)).toBeCloseTo(1e-4, 15);
    const linear = withMinLr(finetuneSchedule(1, 102, 0.01), 0.2); // 1 warm-up step, 101 decay steps
    expect(learningRate(linear, 1)).toBe(1);
    expect(learningRate(linear, 102)).toBeCloseTo(0.2, 15);
    expect(withMinLr(finetuneSchedule(1, 102, 0.01), 0)).not.toHaveProperty('minLr');
    expect(withMinLr(finetuneSchedule(1, 10), 0)).toEqual(finetuneSchedule(1, 10)); // saved runs stay as they were
    const plain = { kind: 'warmup-cosine', peakLr: 2.5e-4, warmupSteps: 7, totalSteps: 1000 } as const;
    for (let step = 0; step < 1000; step += 13) {
      const progress = Math.min(1, (step - 7) / 993);
      const before = step < 7 ? (2.5e-4 * (step + 1)) / 7 : 2.5e-4 * 0.5 * (1 + Math.cos(Math.PI * progress));
      expect(learningRate(plain, step)).toBe(before); // the formula before minima existed, bit for bit
    }
  });
});
