// `npm run bench -- compile [--variants A,B] [--dump]`: how long the driver takes to build each matmul variant's
// and attention block's pipelines, with their workgroup memory and invocations, one kernel at a time, each
// announced on stderr before it starts (a kernel that hangs or crashes the compiler is named by the last
// line). `--dump` turns on Dawn's dump_shaders toggle: the WGSL and Tint's SPIR-V of every pipeline, what the
// driver was given, are printed by Dawn on stdout (before the suite's JSON, still the last line). Why: two 128x128-tile kernels crashed dawn.node on an H200,
// and a first 128x128 double-buffered version took SwiftShader's compiler minutes; this times the rest.
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { workgroupStorageBytes } from '../../src/gpu/workgroup-storage.ts';
import { ATTENTION_BACKWARD, ATTENTION_BLOCKS, ATTENTION_FORWARD } from '../../src/ops/attention.ts';
import { MATMUL_VARIANTS, type MatmulVariant } from '../../src/ops/matmul.ts';
import { type KernelSpec, kernel, kernelLimitProblem, workgroupSize } from '../../src/runtime/kernel.ts';
import { kernelPipeline } from '../../src/runtime/program.ts';
import { formatTable, type Row } from '../harness.ts';

export const compileOptions = {
  variants: { type: 'string', help: 'matmul variants to build (default all), comma-separated' },
  dump: { type: 'boolean', help: "print each pipeline's WGSL and SPIR-V (Dawn's dump_shaders; Dawn writes to stdout)" },
} satisfies OptionSpecs;

function kernels(variants: readonly MatmulVariant[]): KernelSpec[] {
  const attention = ATTENTION_BLOCKS.flatMap((block) =>
    [ATTENTION_FORWARD, ATTENTION_BACKWARD].map((k) =>
      kernel(k.shader, k.entry, k.bindings, block === ATTENTION_BLOCKS[0] ? undefined : { BLOCK: block }),
    ),
  );
  return [...variants.flatMap((v) => [MATMUL_VARIANTS[v].forward, MATMUL_VARIANTS[v].preact]), ...attention];
}

export async function compileSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, compileOptions);
  const variants = (o.variants?.split(',').map((v) => v.trim()) ?? Object.keys(MATMUL_VARIANTS)) as MatmulVariant[];
  const flags = o.dump ? ['enable-dawn-features=dump_shaders,disable_symbol_renaming'] : [];
  const ctx = await openGpu(await nodeGpu(flags), { purpose: 'pipeline compile times' });
  const rows: Row[] = [];
  try {
    for (const spec of kernels(variants)) {
      const constants = spec.constants ? ` ${JSON.stringify(spec.constants)}` : '';
      const name = `${spec.entry}${constants}`;
      const [x, y, z] = workgroupSize(spec);
      const base = {
        kernel: name,
        'workgroup bytes': workgroupStorageBytes(spec.shader, spec.entry, spec.constants),
        invocations: x * y * z,
      };
      const problem = kernelLimitProblem(spec, ctx.device.limits);
      if (problem) {
        process.stderr.write(`skipped ${name}: ${problem}\n`);
        continue;
      }
      process.stderr.write(`compiling ${name}...\n`);
      const started = performance.now();
      await kernelPipeline(ctx, spec);
      rows.push({ ...base, ms: performance.now() - started });
      process.stderr.write(`compiled ${name} in ${(performance.now() - started).toFixed(0)} ms\n`);
    }
  } finally {
    ctx.destroy();
  }
  process.stderr.write(`\n${formatTable(rows)}\n`);
  return { suite: 'compile', adapter: ctx.adapter.name, date: new Date().toISOString(), results: rows };
}
