// A run that starts from an imported model: when the worker says the tokenizer is the model's, the form takes
// the model's shape (its context cut to the model's positions) and the tokenizer choice reads "model".
import { beforeEach, describe, expect, it } from 'vitest';
import { applyEngineEvent } from './apply-event.ts';
import { useAppStore } from './index.ts';

const initial = useAppStore.getState();
beforeEach(() => useAppStore.setState(initial, true));

describe('the imported model as the tokenizer', () => {
  it("sets the form to the model's shape and keeps the tokenizer choice on the model", () => {
    useAppStore.getState().choosePreset('small'); // context 256
    applyEngineEvent({
      type: 'tokenizer-ready',
      stats: {
        kind: 'gpt1',
        vocabSize: 40478,
        tokens: 10,
        charsPerToken: 4,
        sample: { text: 'a', pieces: ['a'] },
        model: { name: 'openai-gpt', nLayer: 12, nEmbd: 768, nHead: 12, nPositions: 128 },
      },
    });
    const { form, tokenizer } = useAppStore.getState();
    expect(tokenizer.kind).toBe('model');
    expect(form.fields).toMatchObject({ nLayer: '12', nEmbd: '768', nHead: '12', context: '128' });
    expect(form.preset).toBe('custom'); // gpt1's context is 512, so no preset matches
  });
});
