// Fine-tuning's starting weights: the grown token embedding (pretrained rows copied, new rows fresh),
// transferring the first n blocks only, fresh heads, and the errors for models that do not fit.
import { describe, expect, it } from 'vitest';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { finetuneInitialParams, layerOf } from './finetune-init.ts';

const base: Gpt1Config = { ...PRESETS.tiny, vocabSize: 10, nPositions: 16, nEmbd: 8, nHead: 2, nInner: 32, nLayer: 2 };
const grown: Gpt1Config = { ...base, vocabSize: 13 };
const pretrained = { config: base, params: initParams(base, 99) };
const heads = { classifierLabels: 3 };

describe('finetuneInitialParams', () => {
  it('copies the pretrained rows of wte and leaves the new special-token rows N(0, 0.02) from the seed', () => {
    const { params, transferred, initialised } = finetuneInitialParams(grown, heads, 5, pretrained);
    const fresh = initParams(grown, 5, heads);
    const wte = params.get('wte')!;
    expect(wte.length).toBe(13 * 8);
    expect(wte.subarray(0, 80)).toEqual(pretrained.params.get('wte'));
    expect(wte.subarray(80)).toEqual(fresh.get('wte')!.subarray(80));
    expect(wte.subarray(80).every((x) => x !== 0 && Math.abs(x) < 0.2)).toBe(true);
    for (const name of ['wpe', 'h0.qkvw', 'h1.ln2b'])
      expect(params.get(name), name).toEqual(pretrained.params.get(name));
    expect(params.get('cls.w')).toEqual(fresh.get('cls.w'));
    expect(initialised).toEqual(['cls.w']);
    expect(transferred).toContain('h1.fcprojw');
  });

  it('transfers embeddings and the first n blocks only; the rest is re-initialised', () => {
    const fresh = initParams(grown, 5, heads);
    const one = finetuneInitialParams(grown, heads, 5, pretrained, 1);
    for (const [name, values] of one.params) {
      const layer = layerOf(name);
      if (layer === 1 || name === 'cls.w') {
        expect(values, name).toEqual(fresh.get(name));
        if (name.endsWith('w') && !name.includes('ln')) expect(values, name).not.toEqual(pretrained.params.get(name));
      } else if (name !== 'wte') expect(values, name).toEqual(pretrained.params.get(name));
    }
    expect(one.initialised.filter((n) => n.startsWith('h0.'))).toEqual([]);
    const none = finetuneInitialParams(grown, heads, 5, pretrained, 0);
    expect(none.transferred).toEqual(['wte', 'wpe']);
  });

  it('starts every weight fresh without a pretrained model', () => {
    const { params, transferred } = finetuneInitialParams(grown, { multipleChoice: true }, 7);
    expect(transferred).toEqual([]);
    expect(params).toEqual(initParams(grown, 7, { multipleChoice: true }));
  });

  it('refuses a model that does not fit', () => {
    expect(() => finetuneInitialParams(grown, heads, 5, pretrained, 3)).toThrow(/between 0 and the model's 2 layers/);
    expect(() => finetuneInitialParams({ ...grown, nEmbd: 16 }, heads, 5, pretrained)).toThrow(/nEmbd 8/);
    expect(() => finetuneInitialParams({ ...base, vocabSize: 9 }, heads, 5, pretrained)).toThrow(
      /10 token embeddings but the tokenizer only 9/,
    );
  });
});
