// The engine's device: reused while it grants a plan's limits, re-opened with larger ones, and a loss is
// reported once and forgets the device (our own close() is not a loss).
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../test-support/test-gpu.ts';
import { DeviceHolder, grants } from './device-holder.ts';

describe('DeviceHolder', () => {
  it('re-opens the device with larger limits only when a plan needs them', async () => {
    const losses: string[] = [];
    const holder = new DeviceHolder(testGpu, (info) => losses.push(info.reason));
    const first = await holder.open();
    expect(first.device.limits.maxStorageBufferBindingSize).toBe(128 * 2 ** 20); // the spec default
    expect(await holder.open({ maxStorageBufferBindingSize: 64 * 2 ** 20 })).toBe(first);
    const adapter = (await testGpu().requestAdapter())!;
    const want = Math.min(adapter.limits.maxStorageBufferBindingSize, 256 * 2 ** 20);
    const bigger = await holder.open({ maxStorageBufferBindingSize: want }, 'a bigger model');
    expect(bigger).not.toBe(first);
    expect(grants(bigger.device.limits, { maxStorageBufferBindingSize: want })).toBe(true);
    await first.lost; // the old device was destroyed by us...
    expect(losses).toEqual([]); // ...which is not reported as a loss

    expect(holder.loseForTest()).toBe(true);
    await bigger.lost;
    expect(losses).toEqual(['destroyed']);
    expect(holder.current).toBeUndefined();
    const fresh = await holder.open();
    expect(fresh).not.toBe(bigger);
    // More than the adapter has: refused, and the open device stays.
    await expect(holder.open({ maxBufferSize: 2 ** 52 })).rejects.toThrow(/needs maxBufferSize/);
    expect(holder.current).toBe(fresh);
    holder.close();
    await expect(holder.open({ maxBufferSize: 2 ** 52 })).rejects.toThrow(/needs maxBufferSize/);
  });
});
