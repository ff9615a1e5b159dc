// `npm run bench -- kernels [--shapes small|gpt1] [--only TEXT] [--skip A,B] [--variants A,B] [--target-ms N]`: GFLOP/s and
// GB/s per kernel and shape. Each case compiles one op (forward, or forward + backward timing only the backward
// dispatches), fills its f32 inputs with random values, runs it once, then times its dispatches repeated
// in one submit (timeDispatches in src/runtime/dispatch-timing.ts). Cases and their FLOP/byte formulas: kernel-cases.ts.
import { type OptionSpecs, parseOptions, UsageError } from '../../src/cli/args.ts';
import { formatBytes } from '../../src/gpu/adapter-report.ts';
import { type GpuContext, openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { timeDispatches } from '../../src/runtime/dispatch-timing.ts';
import { Graph } from '../../src/runtime/graph.ts';
import { kernelLimitProblem } from '../../src/runtime/kernel.ts';
import { Program } from '../../src/runtime/program.ts';
import { formatTable, type Row } from '../harness.ts';
import { fillRandom, randomU32 } from '../random-data.ts';
import { type KernelCase, kernelCases, type ShapeSet } from './kernel-cases.ts';

export const kernelsOptions = {
  shapes: { type: 'string', help: 'small (default, sized for SwiftShader) | gpt1 (4096³, GPT-1 8x512 shapes)' },
  only: { type: 'string', help: 'run the cases whose "op pass variant shape" contains this text' },
  skip: { type: 'string', help: 'leave out the cases whose description contains any of these comma-separated texts' },
  variants: {
    type: 'string',
    help: 'only the cases of these variants, comma-separated and exact (e.g. vec4_wide): one process per variant survives a crash in another',
  },
  'target-ms': { type: 'number', help: 'wall time per timed submit (default 50)' },
  list: { type: 'boolean', help: 'print the selected cases and the variant names, and stop (no GPU needed)' },
} satisfies OptionSpecs;

/** A row, or why the case cannot run on this device (a variant's tile beyond its workgroup limits). */
async function runCase(ctx: GpuContext, c: KernelCase, targetMs: number): Promise<Row | string> {
  const g = new Graph();
  const work = c.build(g);
  const problem = g.nodes.map((n) => kernelLimitProblem(n.kernel, ctx.device.limits)).find(Boolean);
  if (problem) return problem;
  const program = await Program.compile(ctx, g, { label: `${c.op} ${c.pass}` });
  try {
    fillRandom(program, ['input', 'param', 'grad']);
    work.init?.(program, randomU32);
    program.run(); // forward outputs exist before a backward range is timed
    const timing = await timeDispatches(ctx.device, program, work.from, work.to, { targetMs });
    const seconds = timing.medianMs / 1000;
    const kernels = [...new Set(g.nodes.slice(work.from, work.to).map((n) => n.kernel.entry))];
    return {
      op: c.op,
      pass: c.pass,
      variant: c.variant,
      shape: c.shape,
      kernels: kernels.length > 1 ? `${kernels[0]} +${kernels.length - 1}` : (kernels[0] ?? ''),
      dispatches: work.to - work.from,
      ms: timing.medianMs,
      'GFLOP/s': work.flops / seconds / 1e9,
      'GB/s': work.bytes / seconds / 1e9,
      repeats: timing.repeats,
    };
  } finally {
    program.destroy();
  }
}

export async function kernelsSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, kernelsOptions);
  const shapes = (o.shapes ?? 'small') as ShapeSet;
  if (shapes !== 'small' && shapes !== 'gpt1') throw new UsageError(`--shapes must be small or gpt1, not "${shapes}"`);
  const skip = (o.skip ?? '').split(',').filter(Boolean);
  const variants = o.variants?.split(',').map((v) => v.trim());
  const cases = kernelCases(shapes).filter((c) => {
    const text = `${c.op} ${c.pass} ${c.variant} ${c.shape}`;
    const wanted = !variants || variants.includes(c.variant);
    return wanted && (!o.only || text.includes(o.only)) && !skip.some((s) => text.includes(s));
  });
  if (cases.length === 0) throw new UsageError('no kernel case matches --only, --skip and --variants');
  if (o.list) {
    const described = cases.map((c) => `${c.op} ${c.pass} ${c.variant} ${c.shape}`);
    process.stderr.write(`${described.join('\n')}\n`);
    return {
      suite: 'kernels',
      shapes,
      list: true,
      variants: [...new Set(cases.map((c) => c.variant))],
      cases: described,
    };
  }
  const ctx = await openGpu(await nodeGpu(), {
    purpose: 'kernel benchmarks',
    needs: shapes === 'gpt1' ? { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 } : {},
  });
  process.stderr.write(`adapter: ${ctx.adapter.name}; ${cases.length} cases (${shapes})\n`);
  const rows: Row[] = [];
  const skipped: { case: string; reason: string }[] = [];
  const started = performance.now();
  try {
    for (const c of cases) {
      const row = await runCase(ctx, c, o['target-ms'] ?? 50);
      if (typeof row === 'string') {
        const name = `${c.op} ${c.pass} ${c.variant} ${c.shape}`;
        skipped.push({ case: name, reason: row });
        process.stderr.write(`skipped ${name}: ${row}\n`);
        continue;
      }
      rows.push(row);
      // One JSON line per case on stderr: a crash (a driver fault kills the process) keeps what ran.
      process.stderr.write(`case ${JSON.stringify(row)}\n`);
    }
  } finally {
    ctx.destroy();
  }
  process.stderr.write(`\n${formatTable(rows)}\n`);
  return {
    suite: 'kernels',
    shapes,
    runtime: 'node (Dawn)',
    adapter: ctx.adapter.name,
    maxBinding: formatBytes(ctx.adapter.limits.maxStorageBufferBindingSize),
    seconds: (performance.now() - started) / 1000,
    date: new Date().toISOString(),
    results: rows,
    skipped,
    // The products of the matmul rows by shape label, for baselines that run the same ones (cuBLAS).
    matmulShapes: Object.fromEntries(cases.flatMap((c) => (c.matmul ? [[c.shape, c.matmul]] : []))),
  };
}
