// Moving fine-tuning data through a task program: a packed batch in (ids, extract rows, labels or scores with
// their padding weights, LM targets), the head's outputs out as predictions, and the checks that an encoded
// set fits the trainer's head and context.
import type { EncodedTaskSet, TaskBatch } from '../model/task-inputs.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { setGatherIndex } from '../ops/gather.ts';
import type { Program } from '../runtime/program.ts';
import { type FinetuneMicroBatch, sequencesPerExample, type TaskSpec } from './finetune-graph.ts';

/**
 * Writes one packed batch into a task program (or one micro-batch of an accumulated step): ids, extract
 * indices, and (training) labels and targets.
 */
export function writeTaskBatch(program: Program, graph: FinetuneMicroBatch, batch: TaskBatch): void {
  prepareEmbeddingIndex(program, graph.model.embedding, batch.ids);
  const [first, second] = graph.extracts;
  if (second) {
    // Similarity: sequence 2b is A $ B, 2b + 1 is B $ A.
    setGatherIndex(
      program,
      first!,
      batch.extract.filter((_, s) => s % 2 === 0),
    );
    setGatherIndex(
      program,
      second,
      batch.extract.filter((_, s) => s % 2 === 1),
    );
  } else setGatherIndex(program, first!, batch.extract);
  if (graph.labels) {
    if (!batch.labels) throw new Error('The batch has scores, the head predicts classes.');
    program.write(graph.labels, batch.labels);
  }
  if (graph.scores && graph.weights) {
    if (!batch.scores) throw new Error('The batch has classes, the head predicts scores.');
    program.write(graph.scores, batch.scores);
    program.write(
      graph.weights,
      Float32Array.from({ length: batch.B }, (_, b) => (b < batch.examples ? 1 : 0)),
    );
  }
  if (graph.lmTargets) program.write(graph.lmTargets, batch.lmTargets);
}

/** Refuses a set encoded for another family, label kind, sequence count, or longer than T. */
export function checkTaskSet(set: EncodedTaskSet, options: { task: TaskSpec; T: number }): void {
  const { task, T } = options;
  if (set.family !== task.family) throw new Error(`The examples are ${set.family}, the trainer ${task.family}.`);
  if (set.regression !== task.regression) {
    throw new Error(`The examples are ${set.regression ? 'scores' : 'classes'}, the head predicts the other.`);
  }
  const K = sequencesPerExample(task);
  if (set.sequencesPerExample !== K) {
    throw new Error(`The examples have ${set.sequencesPerExample} sequences each, the head expects ${K}.`);
  }
  if (set.stats.maxLength > T)
    throw new Error(`The longest sequence has ${set.stats.maxLength} tokens, over T = ${T}.`);
  if (!task.regression && task.family !== 'multiple-choice') {
    const bad = set.labels.findIndex((l) => l >= task.numLabels);
    if (bad >= 0) throw new Error(`Line ${set.lines[bad]}: class ${set.labels[bad]} is not below ${task.numLabels}.`);
  }
}

/** Argmax per row (the first on ties), or the score itself for regression. */
export function predictionsOf(outputs: Float32Array, width: number, regression: boolean): Float64Array {
  const n = outputs.length / width;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (regression) {
      out[i] = outputs[i * width]!;
      continue;
    }
    let best = 0;
    for (let k = 1; k < width; k++) if (outputs[i * width + k]! > outputs[i * width + best]!) best = k;
    out[i] = best;
  }
  return out;
}
