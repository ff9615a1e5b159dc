// Inverted dropout (GPT-1: p = 0.1 on embeddings, attention probabilities and residual branches).
// float64 CPU reference, and the graph op. Kernel: shaders/dropout.wgsl; mask: src/runtime/random.ts.
//
// The seed: one u32 input tensor per graph (dropoutSeed(g)), shared by every dropout site and read by the
// kernels, rather than a dynamic Params field on each node. A training step then changes the masks of all
// sites with a single 4-byte upload (setDropoutSeed), and the nodes keep static params. Sites differ by
// `stream`, elements by their flat index, so the key (step seed, stream, index) is unique within a step and
// backward recomputes the forward's mask exactly.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Program } from '../runtime/program.ts';
import { dropoutScale, randomU32 } from '../runtime/random.ts';
import type { Tensor } from '../runtime/tensor.ts';

export const DROPOUT_FORWARD = kernel('dropout.wgsl', 'dropout_forward', ['inp', 'step_seed', 'out']);
export const DROPOUT_BACKWARD = kernel('dropout.wgsl', 'dropout_backward', ['dout', 'step_seed', 'dinp']);
/** Test entry points: random_u32 and dropout_scale of arbitrary (seed, stream, index) triples. */
export const RANDOM_U32_FILL = kernel('dropout.wgsl', 'random_u32_fill', ['triples', 'out_u32']);
export const DROPOUT_SCALE_FILL = kernel('dropout.wgsl', 'dropout_scale_fill', ['triples', 'out']);

/** Stream under which the run seed yields per-step dropout seeds (ASCII 'drop'). */
export const DROPOUT_SEED_STREAM = 0x64726f70;

/** The dropout mask of one site: m[i] = 0 or 1/(1-p) (in f32, as the GPU computes it). */
export function dropoutMaskRef(n: number, seed: number, stream: number, p: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => dropoutScale(seed, stream, i, p));
}

/** out = inp * mask, elementwise. */
export function dropoutForwardRef(
  inp: Float64Array, // [N]
  mask: Float64Array, // [N]
): Float64Array {
  return inp.map((x, i) => x * mask[i]!);
}

/** dinp = dout * mask, elementwise (the same mask as the forward). */
export function dropoutBackwardRef(
  dout: Float64Array, // [N]
  mask: Float64Array, // [N]
): Float64Array {
  return dout.map((d, i) => d * mask[i]!);
}

const seeds = new WeakMap<Graph, Tensor>();

/** The graph's dropout seed tensor [1] u32, created on first use. */
export function dropoutSeed(g: Graph): Tensor {
  let t = seeds.get(g);
  if (!t) {
    t = g.input('dropout_seed', [1], 'u32');
    seeds.set(g, t);
  }
  return t;
}

/** This step's dropout seed from the run seed: a different mask every step, the same for the same run. */
export function dropoutStepSeed(runSeed: number, step: number): number {
  return randomU32(runSeed, DROPOUT_SEED_STREAM, step);
}

/** Uploads the seed every dropout site of `program` reads this run (a no-op when the graph has none). */
export function setDropoutSeed(program: Program, seed: number): void {
  const t = seeds.get(program.graph);
  if (t) program.write(t, Uint32Array.of(seed >>> 0));
}

/**
 * Records dropout(inp) with drop probability p at site `stream` (any shape). p = 0 (evaluation) records
 * nothing and returns `inp` itself: dropout is then the identity, exactly.
 */
export function dropout(g: Graph, inp: Tensor, p: number, stream: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p = ${p} is outside [0, 1)`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) {
    throw new Error(`dropout: stream ${stream} is not a u32`);
  }
  if (p === 0) return inp;
  const n = inp.size;
  const stepSeed = dropoutSeed(g);
  const out = g.activation(`dropout(${inp.name})`, inp.shape, inp.requiresGrad); // same shape as inp
  g.dispatch(DROPOUT_FORWARD, { inp, step_seed: stepSeed, out }, { n, p, stream }, threadGrid(DROPOUT_FORWARD, n));
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const { grad: dinp, accumulate } = g.gradWrite(inp);
    g.dispatch(
      DROPOUT_BACKWARD,
      { dout: g.grad(out), step_seed: stepSeed, dinp },
      { n, p, stream, accumulate },
      threadGrid(DROPOUT_BACKWARD, n),
    );
  });
  return out;
}
