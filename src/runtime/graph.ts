// The graph builder and autograd tape. Model code calls ops, which append dispatch nodes here and
// push a backward closure on the tape. Nothing touches the GPU: Program.compile() turns the finished
// graph (forward + backward + optimizer) into pipelines, bind groups and one planned memory layout,
// so a training step is a fixed list of dispatches encoded into one command buffer.
//
// Gradient convention (llm.c's): backward kernels take an `accumulate` flag. The first contribution
// to a gradient overwrites it (accumulate = 0), later ones add (accumulate = 1). The tape knows at build
// time which is first, so no buffer is ever zeroed and gradients of shared tensors sum correctly.
//
// Gradient accumulation: a graph may hold several micro-batches, each a forward pass followed by its own
// backward (nextMicroBatch() between them). Parameters keep their gradients across micro-batches, so the
// second micro-batch adds into what the first wrote; activations of one micro-batch die before the next one
// starts, so the memory planner gives the next one the same buffers.
import { type Grid, isFlatGrid } from './grid.ts';
import type { KernelSpec } from './kernel.ts';
import { type DType, type StorageClass, Tensor } from './tensor.ts';

export interface DispatchNode {
  kind: 'dispatch';
  index: number;
  label: string;
  kernel: KernelSpec;
  bindings: Readonly<Record<string, Tensor>>;
  params: Readonly<Record<string, number>>;
  /** Fixed, or a workgroup count that Program.compile folds with the device's limit (see grid.ts). */
  workgroups: Grid;
}

export interface GradWrite {
  grad: Tensor;
  /** 0 for the first contribution (overwrite), 1 afterwards (add). */
  accumulate: 0 | 1;
}

type BackwardFn = () => void;

/** Numerics choices of a graph, made once for the whole graph so every device computes the same bits. */
export interface GraphOptions {
  /**
   * Weight gradients with a long K (batch x context) are computed in K slices summed in a fixed order
   * (src/ops/matmul-splitk.ts). Changes their rounding, so it is off unless asked for.
   */
  splitK?: boolean;
}

export class Graph {
  readonly nodes: DispatchNode[] = [];
  readonly tensors: Tensor[] = [];
  private readonly grads = new Map<Tensor, Tensor>();
  private readonly gradWritten = new Set<Tensor>();
  private readonly tape: { outputs: Tensor[]; fn: BackwardFn }[] = [];
  private backwardDone = false;
  /** Activations that backward recomputes instead of keeping alive (see recomputeInBackward). */
  private readonly recipes = new Map<Tensor, (into: Tensor) => void>();
  private readonly recomputed = new Map<Tensor, Tensor>();

  constructor(readonly options: Readonly<GraphOptions> = {}) {}

  /** Host-written data for each step (token ids, targets, masks). */
  input(name: string, shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return this.add(new Tensor(name, shape, dtype, 'input', false));
  }

  /** A trainable parameter; backward produces `grad(param)`. */
  param(name: string, shape: readonly number[], requiresGrad = true): Tensor {
    return this.add(new Tensor(name, shape, 'f32', 'param', requiresGrad));
  }

  /** An intermediate result. It requires grad when any op input does (ops decide). */
  activation(name: string, shape: readonly number[], requiresGrad: boolean, dtype: DType = 'f32'): Tensor {
    return this.add(new Tensor(name, shape, dtype, 'activation', requiresGrad));
  }

  /** Kept across runs, never reused by the planner (optimizer moments, counters, result rings). */
  state(name: string, shape: readonly number[], dtype: DType = 'f32', storage: StorageClass = 'state'): Tensor {
    return this.add(new Tensor(name, shape, dtype, storage, false));
  }

  /** Uses a tensor declared by another graph (e.g. shared parameters; see CompileOptions.shareWith). */
  adopt(t: Tensor): Tensor {
    if (this.tensors.includes(t)) throw new Error(`${t} is already in this graph`);
    return this.add(t);
  }

  private add(t: Tensor): Tensor {
    this.tensors.push(t);
    return t;
  }

  /** Appends one dispatch. */
  dispatch(
    kernel: KernelSpec,
    bindings: Record<string, Tensor>,
    params: Record<string, number>,
    workgroups: Grid | readonly [number] | readonly [number, number],
    options: { label?: string } = {},
  ): DispatchNode {
    if (this.backwardDone) bindings = this.substituteRecomputed(bindings);
    for (const name of kernel.bindings) {
      if (!bindings[name]) throw new Error(`${kernel.entry}: binding "${name}" not given`);
    }
    for (const name of Object.keys(bindings)) {
      if (!kernel.bindings.includes(name)) throw new Error(`${kernel.entry}: unexpected binding "${name}"`);
    }
    const node: DispatchNode = {
      kind: 'dispatch',
      index: this.nodes.length,
      label: options.label ?? kernel.entry,
      kernel,
      bindings,
      params,
      workgroups: isFlatGrid(workgroups) ? workgroups : [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1],
    };
    this.nodes.push(node);
    return node;
  }

  /**
   * Activation recomputation: `t` is cheap to recompute from tensors that backward keeps anyway (e.g. a
   * fused GELU's output from its stored pre-activation). Backward dispatches that bind `t` get a fresh copy,
   * recomputed by `recipe` just before its first backward use, so `t` itself dies after the forward pass
   * and the memory planner reuses its buffer. Forward dispatches are unaffected.
   */
  recomputeInBackward(t: Tensor, recipe: (into: Tensor) => void): void {
    if (this.backwardDone) throw new Error('recomputeInBackward after backward()');
    this.recipes.set(t, recipe);
  }

  private substituteRecomputed(bindings: Record<string, Tensor>): Record<string, Tensor> {
    let out = bindings;
    for (const [name, t] of Object.entries(bindings)) {
      const recipe = this.recipes.get(t);
      if (!recipe) continue;
      let copy = this.recomputed.get(t);
      if (!copy) {
        copy = this.add(new Tensor(`recomputed(${t.name})`, t.shape, t.dtype, 'activation', false));
        this.recomputed.set(t, copy);
        recipe(copy); // records the recomputation now, before the dispatch that needs it
      }
      out = { ...out, [name]: copy };
    }
    return out;
  }

  /**
   * Starts the next micro-batch after a backward pass: its forward ops record on a fresh tape, and its
   * backward adds into the parameter gradients the earlier micro-batches wrote.
   */
  nextMicroBatch(): void {
    if (!this.backwardDone) throw new Error('nextMicroBatch() before backward(): finish this micro-batch first');
    this.backwardDone = false;
    this.recipes.clear();
    this.recomputed.clear();
  }

  /** Records how to backpropagate through the op that produced `outputs`. */
  onBackward(outputs: Tensor[], fn: BackwardFn): void {
    if (this.backwardDone) throw new Error('onBackward after backward(): build the forward pass first');
    if (outputs.some((t) => t.requiresGrad)) this.tape.push({ outputs, fn });
  }

  /** The gradient tensor of `t` (created on first use, same shape). */
  grad(t: Tensor): Tensor {
    if (!t.requiresGrad) throw new Error(`${t.name} does not require grad`);
    let g = this.grads.get(t);
    if (!g) {
      const storage: StorageClass = t.storage === 'param' ? 'grad' : 'activation';
      g = this.add(new Tensor(`grad(${t.name})`, t.shape, 'f32', storage, false));
      this.grads.set(t, g);
    }
    return g;
  }

  /** Whether any gradient has flowed into `t` yet (during backward). */
  hasGrad(t: Tensor): boolean {
    return this.gradWritten.has(t);
  }

  /** For backward kernels writing into grad(t): tells whether to overwrite or add. */
  gradWrite(t: Tensor): GradWrite {
    const grad = this.grad(t);
    const accumulate = this.gradWritten.has(t) ? 1 : 0;
    this.gradWritten.add(t);
    return { grad, accumulate };
  }

  /**
   * Walks the tape in reverse. `seed` must write grad(loss) (e.g. a fill with 1): the caller provides
   * it because how the loss is reduced (mean over rows, a weighted sum of losses) is model knowledge.
   */
  backward(loss: Tensor, seed: (gradWrite: GradWrite) => void): void {
    if (this.backwardDone) throw new Error('backward() called twice on one graph (nextMicroBatch() starts another)');
    this.backwardDone = true;
    seed(this.gradWrite(loss));
    for (let i = this.tape.length - 1; i >= 0; i--) {
      const entry = this.tape[i]!;
      if (entry.outputs.some((t) => this.gradWritten.has(t))) entry.fn();
    }
    this.tape.length = 0; // consumed: a next micro-batch records its own
  }

  /** Parameters that received a gradient, with their gradients (for the optimizer). */
  paramGrads(): { param: Tensor; grad: Tensor }[] {
    return this.tensors
      .filter((t) => t.storage === 'param' && this.gradWritten.has(t))
      .map((param) => ({ param, grad: this.grads.get(param)! }));
  }
}
