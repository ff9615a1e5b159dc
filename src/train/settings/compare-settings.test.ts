// Compare's settings: the learning-rate list as typed, and the check the CLI, the engine and the form share.
import { describe, expect, it } from 'vitest';
import {
  compareSettingsProblem,
  DEFAULT_COMPARE,
  lrSweepText,
  parseLrSweep,
  SINGLE_RUN_COMPARE,
} from './compare-settings.ts';

describe('compare settings', () => {
  it('reads a learning-rate list; empty or none is no sweep', () => {
    expect(parseLrSweep('6.25e-5, 2.5e-4,1e-3')).toEqual([6.25e-5, 2.5e-4, 1e-3]);
    expect(parseLrSweep(' ')).toEqual([]);
    expect(parseLrSweep('none')).toEqual([]);
    expect(() => parseLrSweep('1e-3,,2e-3')).toThrow('"" is not a learning rate');
    expect(() => parseLrSweep('1e-3, fast')).toThrow('"fast" is not a learning rate');
    expect(lrSweepText([6.25e-5, 2.5e-4, 1e-3, 2e-3])).toBe('6.25e-5, 2.5e-4, 0.001, 0.002');
  });

  it('defaults: 3 seeds and the four-rate sweep; a command without settings: one seed, no sweep', () => {
    expect(DEFAULT_COMPARE).toEqual({ rows: 'table5', seeds: 3, lrSweep: [6.25e-5, 2.5e-4, 1e-3, 2e-3] });
    expect(SINGLE_RUN_COMPARE).toEqual({ rows: 'table5', seeds: 1, lrSweep: [] });
    expect(compareSettingsProblem(DEFAULT_COMPARE)).toBeUndefined();
    expect(compareSettingsProblem({ rows: 'layers', seeds: 1, lrSweep: [] })).toBeUndefined();
  });

  it('names the field and the rule of each bad value', () => {
    const bad = (patch: object) => compareSettingsProblem({ ...DEFAULT_COMPARE, ...patch });
    expect(bad({ seeds: 0 })).toEqual({
      where: 'seeds',
      message: 'the number of seeds must be a whole number from 1 to 20 (got 0)',
    });
    expect(bad({ seeds: 1.5 })?.where).toBe('seeds');
    expect(bad({ rows: 'all' })).toEqual({
      where: 'compareRows',
      message: 'unknown rows "all" (use table5 or layers)',
    });
    expect(bad({ lrSweep: [1e-3, 1] })).toEqual({
      where: 'lrSweep',
      message: 'each rate of the learning-rate sweep must be a number above 0 and below 1 (got 1)',
    });
    expect(bad({ lrSweep: [1e-3, 1e-3] })?.message).toBe('the learning-rate sweep names a rate twice');
    expect(bad({ lrSweep: Array.from({ length: 9 }, (_, i) => (i + 1) / 100) })?.message).toBe(
      'the learning-rate sweep takes at most 8 rates',
    );
  });
});
