// The parameter table: the single source of truth for the names, shapes, initialisation and weight
// decay of every parameter. The same ordered table lays out weights, gradients and Adam moments, and
// names tensors in checkpoints (hf-format.ts maps these names to Hugging Face keys).
// Weights keep Hugging Face's Conv1D orientation [in, out]: y = x @ W + b.
import type { Gpt1Config } from './config.ts';

export type Init = 'normal' | 'zeros' | 'ones';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
  init: Init;
  /** Decoupled weight decay applies (matrices only; GPT-1 exempts biases and gains). */
  decay: boolean;
}

/** Optional task heads, added at fine-tuning time. */
export interface HeadSpec {
  /** Multiple choice (HF DoubleHeads): one score per choice, [1, C] + [1]. */
  multipleChoice?: boolean;
  /** Classification/regression head: [labels, C] + [labels]. */
  classifierLabels?: number;
}

const matrix = (name: string, shape: number[]): ParamSpec => ({ name, shape, init: 'normal', decay: true });
const bias = (name: string, n: number): ParamSpec => ({ name, shape: [n], init: 'zeros', decay: false });
const gain = (name: string, n: number): ParamSpec => ({ name, shape: [n], init: 'ones', decay: false });

export function layerParams(c: Gpt1Config, i: number): ParamSpec[] {
  const C = c.nEmbd;
  const p = `h${i}.`;
  return [
    matrix(`${p}qkvw`, [C, 3 * C]), // c_attn
    bias(`${p}qkvb`, 3 * C),
    matrix(`${p}attprojw`, [C, C]), // attn c_proj
    bias(`${p}attprojb`, C),
    gain(`${p}ln1w`, C), // post-LN after attention
    bias(`${p}ln1b`, C),
    matrix(`${p}fcw`, [C, c.nInner]), // mlp c_fc
    bias(`${p}fcb`, c.nInner),
    matrix(`${p}fcprojw`, [c.nInner, C]), // mlp c_proj
    bias(`${p}fcprojb`, C),
    gain(`${p}ln2w`, C), // post-LN after the MLP
    bias(`${p}ln2b`, C),
  ];
}

export function parameterTable(c: Gpt1Config, heads: HeadSpec = {}): ParamSpec[] {
  const table: ParamSpec[] = [matrix('wte', [c.vocabSize, c.nEmbd]), matrix('wpe', [c.nPositions, c.nEmbd])];
  for (let i = 0; i < c.nLayer; i++) table.push(...layerParams(c, i));
  if (heads.multipleChoice) table.push(matrix('mc.w', [1, c.nEmbd]), bias('mc.b', 1));
  // The paper's W_y, like Hugging Face's `score`, has no bias.
  if (heads.classifierLabels) table.push(matrix('cls.w', [heads.classifierLabels, c.nEmbd]));
  return table;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function parameterCount(table: readonly ParamSpec[]): number {
  return table.reduce((sum, p) => sum + numel(p.shape), 0);
}
