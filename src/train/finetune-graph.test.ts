// The fine-tuning graph's structure, without a GPU: λ = 0 records no LM head at all, each family's head
// has the paper's shape, evaluation has no dropout, backward or optimizer.
import { describe, expect, it } from 'vitest';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import {
  buildFinetuneGraph,
  CLASSIFIER_DROPOUT_STREAM,
  checkTaskSpec,
  type FinetuneGraphOptions,
  type TaskSpec,
} from './finetune-graph.ts';

const config: Gpt1Config = {
  ...PRESETS.tiny,
  vocabSize: 20,
  nPositions: 16,
  nEmbd: 8,
  nHead: 2,
  nInner: 32,
  nLayer: 1,
};
const build = (task: TaskSpec, overrides: Partial<FinetuneGraphOptions> = {}) =>
  buildFinetuneGraph({ config, task, B: 3, T: 8, train: true, auxLm: 0.5, classifierDropout: 0.1, ...overrides });
const classification: TaskSpec = { family: 'classification', regression: false, numLabels: 2 };
const labels = (graph: ReturnType<typeof build>) => graph.g.nodes.map((n) => n.label);

describe('buildFinetuneGraph', () => {
  it('records no LM head when λ = 0, and one when λ > 0', () => {
    const without = build(classification, { auxLm: 0 });
    const withLm = build(classification, { auxLm: 0.5 });
    expect(labels(without).filter((l) => l.startsWith('lm_head'))).toEqual([]);
    expect(without.lm).toBeUndefined();
    expect(without.g.tensors.some((t) => t.name === 'lm_targets')).toBe(false);
    expect(labels(withLm).filter((l) => l.startsWith('lm_head')).length).toBeGreaterThan(0);
    expect(withLm.lmTargets?.shape).toEqual([3 * 8]);
    // The LM head costs dispatches forward and backward; without it the step has strictly fewer.
    expect(without.g.nodes.length).toBeLessThan(withLm.g.nodes.length);
  });

  it('classification: logits [B, L] from cls.w, labels [B], a classifier dropout site', () => {
    const graph = build({ ...classification, numLabels: 3 });
    expect(graph.head.shape).toEqual([3, 3]);
    expect(graph.labels?.shape).toEqual([3]);
    expect(graph.extracts.map((e) => e.out.shape)).toEqual([[3, 8]]);
    expect(graph.model.params.get('cls.w')?.shape).toEqual([3, 8]);
    const classifierDropout = graph.g.nodes.filter((n) => n.params.stream === CLASSIFIER_DROPOUT_STREAM);
    expect(classifierDropout.map((n) => [n.label, n.params.p, n.bindings.inp?.shape])).toEqual([
      ['dropout_forward', 0.1, [3, 8]],
      ['dropout_backward', 0.1, undefined],
    ]);
  });

  it('similarity: two gathers (both orders) added before the head', () => {
    const graph = build({ family: 'similarity', regression: false, numLabels: 2 });
    expect(graph.model.B).toBe(6); // 2 sequences per example
    expect(graph.extracts.map((e) => e.out.shape)).toEqual([
      [3, 8],
      [3, 8],
    ]);
    expect(labels(graph)).toContain('residual_forward');
    expect(graph.head.shape).toEqual([3, 2]);
  });

  it('regression: one output per example, MSE against scores with row weights', () => {
    const graph = build({ family: 'similarity', regression: true, numLabels: 1 });
    expect(graph.head.shape).toEqual([3, 1]);
    expect(graph.scores?.shape).toEqual([3]);
    expect(graph.weights?.shape).toEqual([3]);
    expect(graph.labels).toBeUndefined();
    expect(labels(graph)).toContain('mse_forward');
  });

  it('multiple choice: one scalar per choice from mc.w + mc.b, reshaped to [B, K]', () => {
    const graph = build({ family: 'multiple-choice', regression: false, numLabels: 4 });
    expect(graph.model.B).toBe(12);
    expect(graph.extracts[0]!.out.shape).toEqual([12, 8]);
    expect(graph.head.shape).toEqual([3, 4]);
    expect(graph.model.params.get('mc.w')?.shape).toEqual([1, 8]);
    expect(graph.model.params.get('cls.w')).toBeUndefined();
  });

  it('evaluation: no dropout, loss, backward or optimizer', () => {
    const graph = build(classification, { train: false });
    expect(labels(graph).some((l) => l.startsWith('dropout') || l.includes('backward') || l.startsWith('adamw'))).toBe(
      false,
    );
    expect(graph.taskLoss).toBeUndefined();
    expect(graph.optimizer).toBeUndefined();
  });

  it('refuses impossible heads and a negative λ', () => {
    expect(() => checkTaskSpec({ family: 'multiple-choice', regression: true, numLabels: 1 })).toThrow(/regression/);
    expect(() => checkTaskSpec({ family: 'classification', regression: false, numLabels: 1 })).toThrow(/2 classes/);
    expect(() => build(classification, { auxLm: -1 })).toThrow(/must be >= 0/);
  });
});
