// The parameter table against GPT-1's published sizes.
import { describe, expect, it } from 'vitest';
import { configProblems, PRESETS } from './config.ts';
import { parameterCount, parameterTable } from './params.ts';

describe('parameter table', () => {
  it('gives GPT-1 its 116,534,784 parameters (85,054,464 in the 12 blocks)', () => {
    const table = parameterTable(PRESETS.gpt1);
    expect(parameterCount(table)).toBe(116_534_784);
    const blocks = table.filter((p) => p.name.startsWith('h'));
    expect(parameterCount(blocks)).toBe(85_054_464);
    expect(table.find((p) => p.name === 'h11.qkvw')?.shape).toEqual([768, 2304]);
  });

  it('decays matrices only, and heads add their own rows', () => {
    const table = parameterTable(PRESETS.tiny, { multipleChoice: true, classifierLabels: 3 });
    expect(table.filter((p) => p.decay).map((p) => p.name)).toEqual([
      'wte',
      'wpe',
      'h0.qkvw',
      'h0.attprojw',
      'h0.fcw',
      'h0.fcprojw',
      'h1.qkvw',
      'h1.attprojw',
      'h1.fcw',
      'h1.fcprojw',
      'mc.w',
      'cls.w',
    ]);
    expect(table.at(-1)).toEqual({ name: 'cls.w', shape: [3, 64], init: 'normal', decay: true });
    expect(new Set(table.map((p) => p.name)).size).toBe(table.length);
  });

  it('validates configs with messages', () => {
    for (const preset of Object.values(PRESETS)) expect(configProblems(preset)).toEqual([]);
    expect(configProblems({ ...PRESETS.tiny, nHead: 5 })).toEqual(['nEmbd (64) must be divisible by nHead (5)']);
    expect(configProblems({ ...PRESETS.tiny, attnPdrop: 1, nLayer: 0 })).toEqual([
      'nLayer must be a positive integer (got 0)',
      'attnPdrop must be in [0, 1) (got 1)',
    ]);
  });
});
