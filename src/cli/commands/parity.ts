// `parity --hf DIR`: our engine against Hugging Face's golden values in DIR (hf-tiny layout).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { runParity } from '../../train/parity.ts';
import { readFixtureFolder } from '../../train/parity-node.ts';
import { type OptionSpecs, parseOptions, UsageError } from '../args.ts';

export const parityOptions = {
  hf: {
    type: 'string',
    help: 'folder with base/, double-heads/, reference.safetensors, reference.json',
    required: true,
  },
} satisfies OptionSpecs;

export async function parityCommand(args: string[]): Promise<unknown> {
  const options = parseOptions(args, parityOptions);
  const dir = options.hf!;
  const missing = ['base', 'double-heads', 'reference.safetensors', 'reference.json'].filter(
    (f) => !existsSync(join(dir, f)),
  );
  if (missing.length) {
    throw new UsageError(`--hf ${dir} lacks ${missing.join(', ')}: give a fixture folder laid out like hf-tiny`);
  }
  const files = await readFixtureFolder(dir);
  const ctx = await openGpu(await nodeGpu(), { purpose: 'gpt1-lab parity' });
  try {
    const report = await runParity(ctx, files);
    for (const c of report.checks) {
      process.stderr.write(
        `${c.pass ? 'ok  ' : 'FAIL'} ${c.name.padEnd(56)} max abs ${c.maxAbs.toExponential(2)}  max rel ${c.maxRel.toExponential(2)}\n`,
      );
    }
    const worst = report.checks.reduce((a, b) => (b.maxRel > a.maxRel && b.maxAbs > 0 ? b : a));
    process.stderr.write(
      `${report.checks.length} checks, ${report.pass ? 'all pass' : 'FAILURES'}; worst ${worst.name}\n`,
    );
    return { ...report, adapter: ctx.adapter.name };
  } finally {
    ctx.destroy();
  }
}
