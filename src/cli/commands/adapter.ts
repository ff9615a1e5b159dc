// `adapter`: the GPU the engine would use, with its limits, and the GPU self-test.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { runSelfTest } from '../../gpu/self-test.ts';

export async function adapterCommand(): Promise<unknown> {
  const ctx = await openGpu(await nodeGpu(), { purpose: 'gpt1-lab cli' });
  try {
    return { adapter: ctx.adapter, selfTest: await runSelfTest(ctx.device) };
  } finally {
    ctx.destroy();
  }
}
