// Checkpoint folders: exact round trip of weights, moments and state; transformers-style import of the
// same folder; refusals of truncated, foreign and malformed folders with what and where.
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../model/checkpoint-errors.ts';
import { PRESETS } from '../model/config.ts';
import { importHfCheckpoint } from '../model/hf-format.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { type Checkpoint, readCheckpoint, type TrainingState, writeCheckpoint } from './checkpoint.ts';
import { pretrainSchedule } from './schedule.ts';

const tokenizer = CharTokenizer.fromCorpus('hello world, tiny corpus');
const config = {
  ...PRESETS.tiny,
  vocabSize: tokenizer.vocabSize,
  nPositions: 16,
  nEmbd: 32,
  nHead: 2,
  nInner: 128,
  nLayer: 1,
};
const params = initParams(config, 1);
const moments = { m: initParams(config, 2), v: initParams(config, 3) };
const state: TrainingState = {
  format: 'gpt1-lab-checkpoint',
  version: 1,
  kind: 'pretrain',
  step: 12,
  tokens: 12 * 64,
  seed: 5,
  dataCursor: 24,
  B: 4,
  T: 16,
  schedule: pretrainSchedule(1e-3, 100),
  weightDecay: 0.01,
  maxGradNorm: 1,
  tokenizer: tokenizer.toJSON(),
  notes: { corpus: 'x.txt' },
};
const ckpt: Checkpoint = { config, heads: {}, params, moments, state };

function refusal(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (error) {
    if (error instanceof CheckpointError) return error;
    throw error;
  }
  throw new Error('expected a CheckpointError');
}

describe('checkpoints', () => {
  it('round-trip weights, Adam moments and state exactly', () => {
    const files = writeCheckpoint(ckpt);
    expect([...files.keys()].sort()).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'optimizer.safetensors',
      'training_state.json',
    ]);
    expect(new TextDecoder().decode(files.get('README.md'))).toMatch(/library_name: transformers/);
    const back = readCheckpoint(files);
    expect(back.config).toEqual(config);
    expect(back.state).toEqual(state);
    for (const [name, values] of params) expect(back.params.get(name), name).toEqual(values);
    for (const [name, values] of moments.v) expect(back.moments?.v.get(name), name).toEqual(values);
  });

  it('refuses non-finite moments and a tokenizer of another size, naming the file', () => {
    const badMoments = { m: initParams(config, 2), v: initParams(config, 3) };
    badMoments.v.get('h0.fcb')![7] = Number.NaN;
    const nan = refusal(() => readCheckpoint(writeCheckpoint({ ...ckpt, moments: badMoments })));
    expect(nan.code).toBe('NON_FINITE');
    expect(nan.message).toMatch(
      /^optimizer\.safetensors: weight '.*h\.0\.mlp\.c_fc\.bias\.exp_avg_sq' holds NaN at index 7/,
    );
    const other = { ...state, tokenizer: CharTokenizer.fromCorpus('abc').toJSON() };
    const mismatch = refusal(() => readCheckpoint(writeCheckpoint({ ...ckpt, state: other })));
    expect(mismatch.message).toMatch(
      /^training_state\.json: its tokenizer has \d+ tokens but config\.json's model has/,
    );
  });

  it('is a Hugging Face folder too', () => {
    const hf = importHfCheckpoint(writeCheckpoint(ckpt));
    expect(hf.params.get('h0.fcw')).toEqual(params.get('h0.fcw'));
  });

  it('refuses truncated, foreign and malformed folders, naming the file', () => {
    const files = writeCheckpoint(ckpt);
    const truncated = new Map(files);
    const model = files.get('model.safetensors')!;
    truncated.set('model.safetensors', model.subarray(0, model.length - 100)); // cut inside the data
    expect(refusal(() => readCheckpoint(truncated)).code).toBe('TRUNCATED');

    const noState = new Map(files);
    noState.delete('training_state.json');
    expect(refusal(() => readCheckpoint(noState)).message).toMatch(/training_state\.json is missing/);

    const badState = new Map(files);
    badState.set('training_state.json', new TextEncoder().encode(JSON.stringify({ ...state, version: 9 })));
    expect(refusal(() => readCheckpoint(badState)).message).toMatch(/version 9 is not supported/);

    const badOptimizer = new Map(files);
    badOptimizer.set('optimizer.safetensors', files.get('optimizer.safetensors')!.subarray(0, 20));
    expect(refusal(() => readCheckpoint(badOptimizer)).message).toMatch(/optimizer\.safetensors/);

    const pickle = new Map(files);
    pickle.set('pytorch_model.bin', Uint8Array.of(0x80, 0x02, 0x7d, 0x71));
    pickle.delete('model.safetensors');
    expect(refusal(() => readCheckpoint(pickle)).code).toBe('PICKLE_REFUSED');
  });
});
