// `npm run bench -- kernels [--shapes small|gpt1] [--only NAME]`: GFLOP/s and GB/s per kernel and shape.
// Each case repeats its op in one program (one submit) so the timing is dominated by the kernels.
import { formatBytes } from '../../src/gpu/adapter-report.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { gelu } from '../../src/ops/gelu.ts';
import { Graph } from '../../src/runtime/graph.ts';
import { Program } from '../../src/runtime/program.ts';
import type { Tensor } from '../../src/runtime/tensor.ts';
import { formatTable, type Row, timeProgram } from '../harness.ts';

export interface KernelCase {
  kernel: string;
  shape: string;
  /** Records one instance of the op; returns its FLOPs and bytes moved (minimum traffic). */
  build: (g: Graph, input: (name: string, shape: number[]) => Tensor) => { flops: number; bytes: number };
}

type ShapeSet = 'small' | 'gpt1';

function cases(shapes: ShapeSet): KernelCase[] {
  const elementwise = shapes === 'gpt1' ? [8 * 512 * 3072] : [4096, 65536];
  return [
    ...elementwise.map(
      (n): KernelCase => ({
        kernel: 'gelu_forward',
        shape: `n=${n}`,
        build: (g, input) => {
          gelu(g, input('x', [n]));
          return { flops: 12 * n, bytes: 8 * n };
        },
      }),
    ),
  ];
}

function parseArgs(args: string[]): { shapes: ShapeSet; only?: string; repeats: number } {
  let shapes: ShapeSet = 'small';
  let only: string | undefined;
  let repeats = 10;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg === '--shapes' && (value === 'small' || value === 'gpt1')) shapes = value;
    else if (arg === '--only' && value) only = value;
    else if (arg === '--repeats' && value) repeats = Number(value);
    else throw new Error(`kernels: unknown option ${arg} (options: --shapes small|gpt1, --only NAME, --repeats N)`);
    i++;
  }
  return { shapes, only, repeats };
}

export async function kernelsSuite(args: string[]): Promise<unknown> {
  const { shapes, only, repeats } = parseArgs(args);
  const ctx = await openGpu(await nodeGpu(), {
    purpose: 'kernel benchmarks',
    needs: shapes === 'gpt1' ? { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 } : {},
  });
  process.stderr.write(`adapter: ${ctx.adapter.name}\n`);
  const rows: Row[] = [];
  try {
    for (const c of cases(shapes)) {
      if (only && !c.kernel.includes(only)) continue;
      const g = new Graph();
      const inputs = new Map<string, Tensor>();
      const input = (name: string, shape: number[]) => {
        const existing = inputs.get(name);
        if (existing) return existing;
        const t = g.input(name, shape);
        inputs.set(name, t);
        return t;
      };
      let work = { flops: 0, bytes: 0 };
      for (let r = 0; r < repeats; r++) work = c.build(g, input);
      const program = await Program.compile(ctx, g, { label: c.kernel });
      const timing = await timeProgram(ctx.device, program);
      program.destroy();
      const seconds = timing.medianMs / 1000 / repeats;
      const row: Row = {
        kernel: c.kernel,
        shape: c.shape,
        'ms/op': seconds * 1000,
        'GFLOP/s': work.flops / seconds / 1e9,
        'GB/s': work.bytes / seconds / 1e9,
        runs: timing.runs,
      };
      rows.push(row);
      process.stderr.write(`${c.kernel} ${c.shape}: ${(seconds * 1000).toFixed(3)} ms\n`);
    }
  } finally {
    ctx.destroy();
  }
  process.stderr.write(`\n${formatTable(rows)}\n`);
  return {
    suite: 'kernels',
    shapes,
    adapter: ctx.adapter.name,
    maxBinding: formatBytes(ctx.adapter.limits.maxStorageBufferBindingSize),
    date: new Date().toISOString(),
    results: rows,
  };
}
