// A view of the test device that reports smaller limits than it has. WebGPU never gives a device less
// than the spec's defaults (65,535 workgroups per dimension, whatever requiredLimits asks), so tests of
// what the engine does on a more limited device (folding grids into 2-D) wrap the real one: every call
// goes to it, and only `device.limits` answers differently.
import type { GpuContext } from '../src/gpu/device.ts';

export function withLimits(ctx: GpuContext, overrides: Readonly<Record<string, number>>): GpuContext {
  const real = ctx.device;
  for (const [key, value] of Object.entries(overrides)) {
    const actual = (real.limits as unknown as Record<string, number>)[key];
    if (actual === undefined || value > actual) throw new Error(`withLimits: ${key} = ${value} is not below ${actual}`);
  }
  const limits = new Proxy(real.limits, {
    get: (target, key) => (typeof key === 'string' && key in overrides ? overrides[key] : Reflect.get(target, key)),
  });
  const device = new Proxy(real, {
    get(target, key) {
      if (key === 'limits') return limits;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return Object.create(ctx, { device: { value: device } }) as GpuContext;
}
