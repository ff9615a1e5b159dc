// The training steps' selectable settings, without a GPU: clip 1 unless set and 0 turns clipping off, in both
// trainers' graphs; the pre-training step records full logits only when asked (parity), before backward.
import { describe, expect, it } from 'vitest';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import type { Graph } from '../runtime/graph.ts';
import { buildFinetuneGraph } from './finetune-graph.ts';
import { buildTrainGraph } from './lm-trainer.ts';
import { stepAdamW } from './train-program.ts';

const config: Gpt1Config = { ...PRESETS.tiny, vocabSize: 20, nPositions: 8, nEmbd: 8, nHead: 2, nInner: 32, nLayer: 1 };

/** The clip flag and threshold the step's gradnorm_reduce dispatch was recorded with. */
function clipOf(g: Graph) {
  const reduce = g.nodes.find((n) => n.kernel.entry === 'gradnorm_reduce');
  if (!reduce) throw new Error('no gradnorm_reduce');
  return { clip: reduce.params.clip, maxNorm: reduce.params.max_norm };
}

describe('training step options', () => {
  it('clips at 1 by default, at a set threshold, and not at all with 0', () => {
    expect(stepAdamW({})).toEqual({ weightDecay: 0.01, maxGradNorm: 1 });
    expect(stepAdamW({ weightDecay: 0, maxGradNorm: 0.5 })).toEqual({ weightDecay: 0, maxGradNorm: 0.5 });
    expect(stepAdamW({ maxGradNorm: 0 })).toEqual({ weightDecay: 0.01, maxGradNorm: undefined });
    const lm = (maxGradNorm?: number) => clipOf(buildTrainGraph({ config, B: 2, T: 4, maxGradNorm }).g);
    expect(lm()).toEqual({ clip: 1, maxNorm: 1 });
    expect(lm(0)).toEqual({ clip: 0, maxNorm: 0 });
    const task = { family: 'classification', regression: false, numLabels: 2 } as const;
    const finetune = (maxGradNorm?: number) =>
      clipOf(
        buildFinetuneGraph({ config, task, B: 2, T: 4, train: true, auxLm: 0.5, classifierDropout: 0, maxGradNorm }).g,
      );
    expect(finetune()).toEqual({ clip: 1, maxNorm: 1 });
    expect(finetune(0)).toEqual({ clip: 0, maxNorm: 0 });
  });

  it('records full logits only when asked, before backward', () => {
    const plain = buildTrainGraph({ config, B: 2, T: 4 });
    const read = buildTrainGraph({ config, B: 2, T: 4 }, { logits: true });
    expect(plain.logits).toBeUndefined();
    expect(read.logits?.shape).toEqual([2, 4, 20]);
    const writer = read.g.nodes.findIndex((n) => Object.values(n.bindings).includes(read.logits!));
    const firstBackward = read.g.nodes.findIndex((n) =>
      Object.values(n.bindings).some((t) => t.name.startsWith('grad(')),
    );
    expect(writer).toBeGreaterThanOrEqual(0);
    expect(writer).toBeLessThan(firstBackward);
    // Nothing else changes: the same dispatches plus that one matmul.
    expect(read.g.nodes.length).toBe(plain.g.nodes.length + 1);
  });
});
