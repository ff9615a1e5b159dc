// The device layer against a real adapter (Dawn in Node, Chromium in the browser project).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu, testGpu, testRuntime } from '../../test-support/test-gpu.ts';
import type { GpuContext } from './device.ts';
import { withErrorScopes } from './error-scope.ts';
import { GpuLimitError } from './limits.ts';
import { runAxpy, runSelfTest, selfTestInputs, selfTestReference } from './self-test.ts';

describe(`GPU device layer (${testRuntime()})`, () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu({ needs: { maxStorageBufferBindingSize: 256 * 1024 * 1024 } });
  });
  afterAll(() => ctx.destroy());

  it('reports the adapter with its limits and features', () => {
    console.log(`[${testRuntime()}] adapter: ${ctx.adapter.name}`);
    expect(ctx.adapter.name.length).toBeGreaterThan(0);
    expect(ctx.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(ctx.adapter.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(Array.isArray(ctx.adapter.features)).toBe(true);
  });

  it('requests the limits the plan needs, not the defaults', () => {
    // The spec default is 128 MiB; we asked for 256 MiB.
    expect(ctx.device.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(256 * 1024 * 1024);
  });

  it('refuses a plan beyond the adapter, naming the limit and the size', async () => {
    const tooMuch = 2 ** 52;
    await expect(openTestGpu({ needs: { maxBufferSize: tooMuch }, purpose: 'GPT-1 at batch 4096' })).rejects.toThrow(
      GpuLimitError,
    );
    await expect(openTestGpu({ needs: { maxBufferSize: tooMuch } })).rejects.toThrow(
      /needs maxBufferSize >= 4096 TiB \(4503599627370496 bytes\), but the adapter allows at most/,
    );
  });

  it('runs a WGSL compute shader and matches the CPU exactly', async () => {
    const { x, y, a } = selfTestInputs(1000);
    const out = await runAxpy(ctx.device, x, y, a);
    const expected = selfTestReference(x, y, a);
    expect(out.length).toBe(1000);
    for (let i = 0; i < expected.length; i++) {
      if (out[i] !== expected[i]) throw new Error(`first mismatch at ${i}: gpu ${out[i]} vs cpu ${expected[i]}`);
    }
    const report = await runSelfTest(ctx.device, 777);
    expect(report).toMatchObject({ n: 777, ok: true, firstMismatch: -1 });
  });

  it('turns a validation error into a message naming the work', async () => {
    const tooBig = ctx.device.limits.maxBufferSize + 4;
    await expect(
      withErrorScopes(ctx.device, 'allocating the activation arena', () =>
        ctx.device.createBuffer({ size: tooBig, usage: GPUBufferUsage.STORAGE }),
      ),
    ).rejects.toThrow(/while allocating the activation arena/);
  });

  it('announces device loss to listeners, once', async () => {
    const own = await openTestGpu();
    const seen: string[] = [];
    own.onLost((e) => seen.push(e.reason));
    own.destroy();
    const info = await own.lost;
    expect(info.reason).toBe('destroyed');
    expect(seen).toEqual(['destroyed']);
  });

  it('gives every test the same GPU object', () => {
    expect(testGpu()).toBe(testGpu());
  });
});
