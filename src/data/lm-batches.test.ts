// LM batching: shifts, bounds, determinism, resumable cursor and the validation split.
import { describe, expect, it } from 'vitest';
import { LmBatchSampler, splitTrainVal, validationBatches } from './lm-batches.ts';

const stream = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('LM batches', () => {
  it('targets are inputs shifted by one, from contiguous windows inside the stream', () => {
    const ids = stream(1000);
    const sampler = new LmBatchSampler(ids, 4, 16, 7);
    for (let step = 0; step < 50; step++) {
      const { inputs, targets } = sampler.next();
      for (let b = 0; b < 4; b++) {
        const start = inputs[b * 16]!;
        for (let t = 0; t < 16; t++) {
          expect(inputs[b * 16 + t]).toBe(start + t); // contiguous
          expect(targets[b * 16 + t]).toBe(start + t + 1); // shifted
        }
        expect(start + 16).toBeLessThanOrEqual(999); // the last target is still in the stream
      }
    }
  });

  it('is deterministic per seed and resumes from a saved cursor', () => {
    const ids = stream(500);
    const a = new LmBatchSampler(ids, 2, 8, 42);
    const b = new LmBatchSampler(ids, 2, 8, 42);
    const c = new LmBatchSampler(ids, 2, 8, 43);
    a.next();
    b.next();
    expect(a.next().inputs).toEqual(b.next().inputs);
    expect(c.next().inputs).not.toEqual(new LmBatchSampler(ids, 2, 8, 42).next().inputs);
    const saved = a.cursor;
    const expected = a.next();
    const resumed = new LmBatchSampler(ids, 2, 8, 42);
    resumed.cursor = saved;
    expect(resumed.next()).toEqual(expected);
  });

  it('holds out the tail for validation, and refuses streams too short for the context', () => {
    const { train, val } = splitTrainVal(stream(1000), 16);
    expect(train.length).toBe(900);
    expect(val[0]).toBe(900);
    expect(() => splitTrainVal(stream(20), 16)).toThrow(/has 20 tokens; context 16 needs at least 34/);
    const small = splitTrainVal(stream(40), 16);
    expect(small.val.length).toBe(17);
    expect(small.train.length).toBe(23);
  });

  it('validation windows are fixed, evenly spaced and inside the split', () => {
    const val = stream(300).subarray(100);
    const batches = validationBatches(val, 2, 10, 3);
    expect(batches).toHaveLength(3);
    expect(validationBatches(val, 2, 10, 3)).toEqual(batches);
    const starts = batches.flatMap((b) => [b.inputs[0], b.inputs[10]]);
    expect(starts[0]).toBe(100);
    for (const b of batches) for (const v of b.targets) expect(v).toBeLessThan(300);
    expect(new Set(starts).size).toBe(6);
  });
});
