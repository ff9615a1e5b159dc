// The three recipes' settings checks, as the CLI, the engine and the forms run them: each problem names its
// field and says the range; the paper's fine-tuning recipe and every preset's defaults pass their own check.
import { describe, expect, it } from 'vitest';
import { PRESETS, type PresetName } from '../../model/config.ts';
import { finetuneSettingsProblem, PAPER_FINETUNE, paperFinetuneSettings } from './finetune-settings.ts';
import { GENERATE_DEFAULTS, generateSettingsProblem } from './generate-settings.ts';
import {
  DEFAULT_SAMPLE_PROMPT,
  DEFAULT_SEED,
  PRETRAIN_DEFAULTS,
  type PretrainSettings,
  pretrainSettingsProblem,
} from './pretrain-settings.ts';

const presetSettings = (preset: PresetName, overrides: Partial<PretrainSettings> = {}): PretrainSettings => ({
  preset,
  config: PRESETS[preset],
  T: PRESETS[preset].nPositions,
  seed: DEFAULT_SEED,
  samplePrompt: DEFAULT_SAMPLE_PROMPT,
  ...PRETRAIN_DEFAULTS[preset],
  ...overrides,
});

describe('pre-training settings', () => {
  it("every preset's defaults pass", () => {
    for (const preset of Object.keys(PRESETS) as PresetName[]) {
      expect(pretrainSettingsProblem(presetSettings(preset), PRESETS[preset].vocabSize)).toBeUndefined();
    }
  });

  it('names the field of the first problem and its range', () => {
    const problem = (o: Partial<PretrainSettings>) => pretrainSettingsProblem(presetSettings('tiny', o), 60);
    expect(problem({ steps: 0 })).toEqual({
      where: 'steps',
      message: 'the number of steps must be a whole number from 1 to 10,000,000 (got 0)',
    });
    expect(problem({ lr: Number.NaN })?.where).toBe('lr');
    expect(problem({ lr: 1 })?.message).toBe('the learning rate must be a number above 0 and below 1 (got 1)');
    expect(problem({ seed: -1 })?.where).toBe('seed');
    expect(problem({ evalEvery: 1.5 })?.where).toBe('evalEvery');
    expect(problem({ B: 0 })?.where).toBe('B');
    expect(problem({ T: 65 })).toMatchObject({
      where: 'config',
      message: /context 65 exceeds the model's 64 positions/,
    });
    const wide = { ...PRESETS.tiny, nEmbd: 256, nHead: 2 };
    expect(problem({ config: wide })?.message).toMatch(/head size 128/);
    expect(problem({ config: { ...PRESETS.tiny, nLayer: 0 } })?.where).toBe('nLayer');
  });
});

describe('fine-tuning settings', () => {
  it("the paper's recipe passes and carries the paper's values", () => {
    const paper = paperFinetuneSettings('classification');
    expect(finetuneSettingsProblem(paper)).toBeUndefined();
    expect([paper.lr, paper.batch, paper.epochs, paper.auxLm, paper.warmup, paper.clip]).toEqual([
      6.25e-5, 32, 3, 0.5, 0.002, 1,
    ]);
    expect(PAPER_FINETUNE.classifierDropout).toBe(0.1);
  });

  it('names the field of the first problem', () => {
    const problem = (o: object) => finetuneSettingsProblem({ ...paperFinetuneSettings('entailment'), ...o });
    expect(problem({ lr: -1 })?.where).toBe('lr');
    expect(problem({ epochs: 0 })?.message).toBe(
      'the number of epochs must be a number above 0 and at most 1,000 (got 0)',
    );
    expect(problem({ batch: 2.5 })?.where).toBe('batch');
    expect(problem({ warmup: 1 })?.where).toBe('warmup');
    expect(problem({ auxLm: -0.5 })?.where).toBe('auxLm');
    expect(problem({ context: 3 })?.where).toBe('context');
    expect(problem({ context: null })).toBeUndefined();
    expect(problem({ family: 'poetry' })?.where).toBe('family');
    expect(problem({ init: 'scratch', transferLayers: 1 })?.where).toBe('transferLayers');
  });
});

describe('generation settings', () => {
  it('defaults pass; out-of-range values are named', () => {
    expect(generateSettingsProblem(GENERATE_DEFAULTS)).toBeUndefined();
    expect(generateSettingsProblem({ ...GENERATE_DEFAULTS, temperature: -1 })?.where).toBe('temperature');
    expect(generateSettingsProblem({ ...GENERATE_DEFAULTS, maxTokens: 5000 })?.where).toBe('maxTokens');
    expect(generateSettingsProblem({ ...GENERATE_DEFAULTS, topK: 1.5 })?.where).toBe('topK');
  });
});
