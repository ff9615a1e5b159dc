// Runs a small graph on the test device: build it, upload host data, run once, read named results.
// GPU op tests use this to compare kernels against their float64 CPU references.
import type { GpuContext } from '../src/gpu/device.ts';
import { seedFrom } from '../src/ops/fill.ts';
import { Graph, type GraphOptions } from '../src/runtime/graph.ts';
import { Program } from '../src/runtime/program.ts';
import type { Tensor } from '../src/runtime/tensor.ts';

export type HostData = Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

export interface GraphSpec {
  /** Tensors to fill before the run, with their data. */
  inputs: [Tensor, HostData | ArrayLike<number>][];
  /** Tensors to read after the run. */
  outputs: Record<string, Tensor>;
}

function asHostData(t: Tensor, data: HostData | ArrayLike<number>): HostData {
  if (data instanceof Float32Array || data instanceof Uint32Array) return data as HostData;
  return t.dtype === 'u32' ? Uint32Array.from(data) : Float32Array.from(data);
}

export async function evalGraph(
  ctx: GpuContext,
  build: (g: Graph) => GraphSpec,
  options: GraphOptions = {},
): Promise<Record<string, Float32Array | Uint32Array>> {
  const g = new Graph(options);
  const spec = build(g);
  const program = await Program.compile(ctx, g, { keep: Object.values(spec.outputs), label: 'test' });
  try {
    for (const [t, data] of spec.inputs) program.write(t, asHostData(t, data));
    program.run();
    const results: Record<string, Float32Array | Uint32Array> = {};
    for (const [name, t] of Object.entries(spec.outputs)) results[name] = await program.read(t);
    return results;
  } finally {
    program.destroy();
  }
}

/**
 * Forward then backward with an upstream gradient `dout` for `out`: grads of every listed tensor.
 * `forward` declares its tensors (params for differentiable inputs) and returns the output.
 */
export function withBackward(g: Graph, out: Tensor, dout: ArrayLike<number>): [Tensor, HostData | ArrayLike<number>] {
  const doutTensor = g.input(`dout(${out.name})`, out.shape);
  g.backward(out, seedFrom(g, doutTensor));
  return [doutTensor, dout];
}
