// The GPU object for tests, whichever vitest project runs them: Dawn in Node, navigator.gpu in Chromium.
// Each project's setup file installs it, so *.gpu.test.ts files are written once and run in both.
import { type GpuContext, type OpenGpuOptions, openGpu } from '../src/gpu/device.ts';

declare global {
  var __testGpu: GPU | undefined;
  var __testRuntime: 'node' | 'browser' | undefined;
}

export function testGpu(): GPU {
  const gpu = globalThis.__testGpu;
  if (!gpu) throw new Error('No GPU installed for tests: is the vitest setup file missing?');
  return gpu;
}

export function testRuntime(): 'node' | 'browser' {
  return globalThis.__testRuntime ?? 'node';
}

/** Opens a device for a test file; pair with `ctx.destroy()` in afterAll. */
export function openTestGpu(options: OpenGpuOptions = {}): Promise<GpuContext> {
  return openGpu(testGpu(), { purpose: 'test', debug: true, ...options });
}
