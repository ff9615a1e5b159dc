// Row gather (the extract token's state for task heads) and a reshaping copy. Kernel: shaders/gather.wgsl.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';

export const GATHER_FORWARD = kernel('gather.wgsl', 'gather_forward', ['inp', 'index', 'out']);
export const GATHER_BACKWARD = kernel('gather.wgsl', 'gather_backward', ['dout', 'inverse', 'dinp']);
export const NO_ROW = 0xffffffff;

/** out[r] = inp[index[r]]. inp [N, C]; index [R] (distinct, < N). */
export function gatherRowsRef(inp: Float64Array, index: Uint32Array, C: number): Float64Array {
  const out = new Float64Array(index.length * C);
  for (let r = 0; r < index.length; r++) out.set(inp.subarray(index[r]! * C, (index[r]! + 1) * C), r * C);
  return out;
}

/** dinp[n] = dout[r] where index[r] = n, else 0. */
export function gatherRowsBackwardRef(dout: Float64Array, index: Uint32Array, N: number, C: number): Float64Array {
  const dinp = new Float64Array(N * C);
  for (let r = 0; r < index.length; r++) dinp.set(dout.subarray(r * C, (r + 1) * C), index[r]! * C);
  return dinp;
}

/** The inverse map [N] for the backward; refuses repeated or out-of-range indices. */
export function gatherInverse(index: Uint32Array, N: number): Uint32Array<ArrayBuffer> {
  const inverse = new Uint32Array(N).fill(NO_ROW);
  index.forEach((n, r) => {
    if (n >= N) throw new Error(`gather: index ${n} at ${r} is outside the ${N} rows`);
    if (inverse[n] !== NO_ROW) throw new Error(`gather: row ${n} is gathered twice (positions ${inverse[n]} and ${r})`);
    inverse[n] = r;
  });
  return inverse;
}

export interface Gather {
  out: Tensor; // [R, C]
  index: Tensor; // [R] u32, host-written
  inverse: Tensor | undefined; // [N] u32, host-written when backward is recorded
  N: number;
}

/** Records out[R, C] = rows of inp [..., C] chosen by a host-written index (upload with setGatherIndex). */
export function gatherRows(g: Graph, inp: Tensor, R: number, name = 'gather'): Gather {
  const C = inp.shape.at(-1)!;
  const N = inp.size / C;
  const index = g.input(`${name}.index`, [R], 'u32'); // [R]
  const out = g.activation(`${name}(${inp.name})`, [R, C], inp.requiresGrad); // [R, C]
  g.dispatch(GATHER_FORWARD, { inp, index, out }, { R, N, C }, threadGrid(GATHER_FORWARD, R * C));
  const gather: Gather = { out, index, inverse: undefined, N };
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const inverse = g.input(`${name}.inverse`, [N], 'u32'); // [N]
    gather.inverse = inverse;
    const { grad: dinp, accumulate } = g.gradWrite(inp);
    const grid = threadGrid(GATHER_BACKWARD, N * C);
    g.dispatch(GATHER_BACKWARD, { dout: g.grad(out), inverse, dinp }, { R, N, C, accumulate }, grid);
  });
  return gather;
}

export function setGatherIndex(program: Program, gather: Gather, index: Uint32Array<ArrayBuffer>): void {
  const inverse = gatherInverse(index, gather.N); // validates before any write
  program.write(gather.index, index);
  if (gather.inverse) program.write(gather.inverse, inverse);
}

/** The same values under another shape (a copy: used for small head outputs such as [B*K, 1] -> [B, K]). */
export function reshape(g: Graph, inp: Tensor, shape: number[]): Tensor {
  const out = g.activation(`reshape(${inp.name})`, shape, inp.requiresGrad);
  if (out.size !== inp.size)
    throw new Error(`reshape: ${inp} has ${inp.size} values, [${shape.join(', ')}] needs ${out.size}`);
  scaleCopy(g, inp, out, 1);
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const { grad, accumulate } = g.gradWrite(inp);
    scaleCopy(g, g.grad(out), grad, 1, accumulate);
  });
  return out;
}
