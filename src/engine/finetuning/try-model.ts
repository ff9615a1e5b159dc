// "Try it" on a fine-tuned model: one example typed in the shape of its task (a sentence; premise and
// hypothesis; two sentences; a context and its choices) goes through the task's input transformation, then a
// forward program of the task graph (dropout off, batch 1) gives the head's outputs: class or choice
// probabilities (a softmax of the logits, in float64) or the similarity score. The example's sequences as the
// model sees them (special tokens marked) and the attention maps of one of them come back with it.
import type { TaskExample, TaskFamily } from '../../data/tasks/task-types.ts';
import type { GpuContext } from '../../gpu/device.ts';
import type { LimitNeeds } from '../../gpu/limits.ts';
import type { Gpt1Config } from '../../model/config.ts';
import { encodeTaskExamples, type PreviewSequence, packBatch, previewExample } from '../../model/task-inputs.ts';
import { type ParamValues, uploadParams } from '../../model/weights.ts';
import { Program } from '../../runtime/program.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { buildFinetuneGraph, type TaskSpec } from '../../train/finetune-graph.ts';
import { writeTaskBatch } from '../../train/finetune-io.ts';
import { planTrainGraph } from '../../train/train-program.ts';
import { type AttentionMaps, attentionMaps } from '../attention-maps.ts';
import { pieceText } from '../token-pieces.ts';

/** An example as a Try-it box holds it. */
export type TryInput =
  | { kind: 'text'; text: string }
  | { kind: 'pair'; a: string; b: string }
  | { kind: 'choice'; context: string; choices: string[] };

/** What a fine-tuned model needs to be tried. */
export interface TriedModel {
  config: Gpt1Config;
  task: TaskSpec;
  /** Special tokens included. */
  tokenizer: Tokenizer;
  /** The run's longest sequence: inputs are cut to it as in training. */
  T: number;
  params: ParamValues;
  /** A classifier's class names in id order. */
  classNames?: readonly string[];
}

export interface TryOutcome {
  family: TaskFamily;
  /** Per class (or choice): its name and probability; absent for a similarity score. */
  probabilities?: { label: string; probability: number }[];
  /** The similarity score (regression). */
  score?: number;
  /** The example as the model sees it: each sequence's tokens with start / delimiter / extract marked. */
  sequences: PreviewSequence[];
  /** Attention maps of sequence `sequence`, its tokens as text; the extract token is the last. */
  attention: AttentionMaps & { sequence: number; tokens: string[] };
}

const nonEmpty = (text: string, what: string) => {
  if (!text.trim()) throw new Error(`The ${what} is empty: type something to try.`);
  return text;
};

/** The typed example as a task example of `family`, refusing a shape or an empty field that does not fit. */
export function tryExample(family: TaskFamily, input: TryInput): TaskExample {
  const line = 1;
  if (family === 'classification') {
    if (input.kind !== 'text') throw new Error('Classification takes one text.');
    return { kind: 'text', text: nonEmpty(input.text, 'text'), label: 0, line };
  }
  if (family === 'multiple-choice') {
    if (input.kind !== 'choice') throw new Error('Multiple choice takes a context and its choices.');
    if (input.choices.length < 2) throw new Error('Give at least two choices.');
    for (const [k, c] of input.choices.entries()) nonEmpty(c, `choice ${k + 1}`);
    return { kind: 'choice', context: nonEmpty(input.context, 'context'), choices: [...input.choices], label: 0, line };
  }
  if (input.kind !== 'pair')
    throw new Error(`${family === 'entailment' ? 'Entailment' : 'Similarity'} takes two texts.`);
  const [a, b] = family === 'entailment' ? ['premise', 'hypothesis'] : ['first sentence', 'second sentence'];
  return { kind: 'pair', a: nonEmpty(input.a, a), b: nonEmpty(input.b, b), label: 0, line };
}

/** Softmax of one row of logits, in float64. */
export function softmax64(logits: ArrayLike<number>): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Opens a device that grants `needs` (the engine's, reopened with larger limits when it must). */
export type DeviceFor = (needs: LimitNeeds) => Promise<GpuContext>;

/** The head's outputs for one example: [K] logits (classes or choices) or [1] score; and the device used. */
async function headOutputs(device: DeviceFor, model: TriedModel, example: TaskExample) {
  const { task, tokenizer, config } = model;
  const T = Math.min(model.T, config.nPositions);
  const set = encodeTaskExamples([example], task.family, tokenizer, T, { regression: task.regression });
  // Batch 1 of the example's own longest row: padding after a row's extract token changes nothing before it.
  const rowT = set.stats.maxLength;
  const shaped = task.family === 'multiple-choice' ? { ...task, numLabels: set.sequencesPerExample } : task;
  const graph = buildFinetuneGraph({
    config,
    task: shaped,
    B: 1,
    T: rowT,
    train: false,
    auxLm: 0,
    classifierDropout: 0,
  });
  const ctx = await device(planTrainGraph(graph.g, [graph.head]).needs);
  const program = await Program.compile(ctx, graph.g, { keep: [graph.head], label: 'try-it' });
  try {
    uploadParams(program, graph.model.params, model.params);
    writeTaskBatch(program, graph, packBatch(set, [0], rowT, { batchSize: 1 }));
    program.run();
    return { ctx, outputs: await program.readF32(graph.head) }; // [1, K]
  } finally {
    program.destroy();
  }
}

/** Tries `input` on `model`; attention maps of sequence `sequence` (0: the first). */
export async function tryModel(
  device: DeviceFor,
  model: TriedModel,
  input: TryInput,
  sequence = 0,
): Promise<TryOutcome> {
  const { task, tokenizer, config } = model;
  const example = tryExample(task.family, input);
  const T = Math.min(model.T, config.nPositions);
  const sequences = previewExample(example, task.family, tokenizer, T);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= sequences.length) {
    throw new Error(`The example has ${sequences.length} sequences: attention of sequence ${sequence + 1} is not one.`);
  }
  const { ctx, outputs } = await headOutputs(device, model, example);
  const ids = sequences[sequence]!.tokens.filter((t) => t.kind !== 'truncated').map((t) => t.id);
  const maps = await attentionMaps(ctx, config, { values: model.params }, ids);
  const attention = { ...maps, sequence, tokens: ids.map((id) => pieceText(tokenizer, id)) };
  if (task.regression) return { family: task.family, score: outputs[0]!, sequences, attention };
  const names =
    task.family === 'multiple-choice'
      ? sequences.map((_, k) => `choice ${k + 1}`)
      : (model.classNames ?? Array.from(outputs, (_, k) => `class ${k}`));
  const probabilities = softmax64(outputs).map((probability, k) => ({ label: names[k] ?? `class ${k}`, probability }));
  return { family: task.family, probabilities, sequences, attention };
}
