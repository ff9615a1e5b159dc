// Fill and scaled copy: the utilities that seed gradients. Kernel: shaders/fill.wgsl.
import type { GradWrite, Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';

export const FILL_CONSTANT = kernel('fill.wgsl', 'fill_constant', ['out']);
export const SCALE_COPY = kernel('fill.wgsl', 'scale_copy', ['inp', 'out']);

/** out (+)= value everywhere. */
export function fill(g: Graph, out: Tensor, value: number, accumulate: 0 | 1 = 0): void {
  g.dispatch(FILL_CONSTANT, { out }, { n: out.size, value, accumulate }, threadGrid(FILL_CONSTANT, out.size));
}

/** out (+)= scale * inp. */
export function scaleCopy(g: Graph, inp: Tensor, out: Tensor, scale: number, accumulate: 0 | 1 = 0): void {
  if (inp.size !== out.size) throw new Error(`scaleCopy: ${inp} and ${out} differ in size`);
  g.dispatch(SCALE_COPY, { inp, out }, { n: out.size, value: scale, accumulate }, threadGrid(SCALE_COPY, out.size));
}

/** A backward seed: d(loss)/d(loss) = scale (1 for a plain loss, λ for a weighted term). */
export function seedConstant(g: Graph, scale = 1): (w: GradWrite) => void {
  return ({ grad, accumulate }) => fill(g, grad, scale, accumulate);
}

/** A backward seed from a host-provided upstream gradient (tests: the fake loss sum(out * dout)). */
export function seedFrom(g: Graph, dout: Tensor): (w: GradWrite) => void {
  return ({ grad, accumulate }) => scaleCopy(g, dout, grad, 1, accumulate);
}
