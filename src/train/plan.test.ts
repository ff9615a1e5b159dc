// The training memory plan of the presets, computed without a GPU from the same graph the trainer compiles.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { parameterCount, parameterTable } from '../model/params.ts';
import { planTraining } from './lm-trainer.ts';
import { pretrainSchedule } from './schedule.ts';

const GiB = 2 ** 30;

describe('training memory plan', () => {
  it('plans GPT-1 at batch 8 x 512 within 4 GiB (PyTorch eager: 9.8 GiB), with weights, gradients and moments', () => {
    const config = PRESETS.gpt1;
    const { plan, needs } = planTraining({ config, B: 8, T: 512, seed: 0, schedule: pretrainSchedule(2.5e-4, 100) });
    const weights = parameterCount(parameterTable(config)) * 4; // 466,139,136 bytes
    expect(plan.bytesByClass.param).toBeGreaterThanOrEqual(weights);
    expect(plan.bytesByClass.param).toBeLessThan(weights * 1.001); // only 256-byte alignment on top
    expect(plan.bytesByClass.grad).toBe(plan.bytesByClass.param);
    expect(plan.bytesByClass.moment).toBe(2 * plan.bytesByClass.param);
    console.log(
      `GPT-1 8x512: params ${(plan.bytesByClass.param / GiB).toFixed(2)} GiB, activations ${(plan.bytesByClass.activation / GiB).toFixed(2)} GiB, total ${(plan.totalBytes / GiB).toFixed(2)} GiB`,
    );
    // 3.69 GiB: the MLP's GELU output is recomputed in backward, and pooled buffers are reused only by
    // tensors of at least half their size (memory-plan.ts).
    expect(plan.totalBytes).toBeLessThan(4 * GiB);
    // The largest binding is the token embedding (40,478 x 768 floats = 124 MB) or a logits chunk.
    expect(needs.maxStorageBufferBindingSize).toBeLessThanOrEqual(128 * 2 ** 20);
  });

  it('plans the tiny preset in a few MiB', () => {
    const { plan } = planTraining({ config: PRESETS.tiny, B: 8, T: 64, seed: 0, schedule: pretrainSchedule(1e-3, 10) });
    expect(plan.totalBytes).toBeLessThan(16 * 2 ** 20);
  });
});
