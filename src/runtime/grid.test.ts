// Dispatch grids: the fold of a workgroup count into (x, y) under a per-dimension limit, the check of
// fixed grids against it, and grids sized from a kernel's workgroup size as the WGSL declares it.
import { describe, expect, it } from 'vitest';
import { shaderInteger } from '../gpu/shader-constants.ts';
import { GELU_FORWARD } from '../ops/gelu.ts';
import { MATMUL_BACKWARD_BIAS } from '../ops/matmul.ts';
import { foldWorkgroups, resolveGrid, threadGrid, workgroups1d } from './grid.ts';

describe('grids', () => {
  it('folds a count past the limit into rows of equal length, wasting less than one row', () => {
    expect(foldWorkgroups(4, 65535)).toEqual([4, 1]);
    expect(foldWorkgroups(65535, 65535)).toEqual([65535, 1]);
    expect(foldWorkgroups(70000, 65535)).toEqual([35000, 2]);
    expect(foldWorkgroups(293, 16)).toEqual([16, 19]);
    for (const max of [1, 2, 3, 16, 1000, 65535]) {
      for (const groups of [1, 2, 5, 17, 293, 1025, 65536, 200000]) {
        if (groups > max * max) continue;
        const [x, y] = foldWorkgroups(groups, max);
        expect(x <= max && y <= max, `${groups} under ${max}`).toBe(true);
        expect(x * y).toBeGreaterThanOrEqual(groups);
        expect(x * y - groups).toBeLessThan(x);
      }
    }
  });

  it('resolves flat and fixed grids against the limit, naming the dispatch that does not fit', () => {
    expect(resolveGrid(workgroups1d(1025, 256), 3, 'a')).toEqual([3, 2, 1]);
    expect(resolveGrid(workgroups1d(10, 1, 3), 4, 'a')).toEqual([4, 3, 3]);
    expect(resolveGrid([5, 6, 7], 7, 'a')).toEqual([5, 6, 7]);
    expect(() => resolveGrid([5, 9, 1], 8, 'step: matmul')).toThrow(
      /step: matmul: grid \[5, 9, 1\] exceeds the device's maxComputeWorkgroupsPerDimension 8/,
    );
    expect(() => resolveGrid(workgroups1d(17, 1), 4, 'fill')).toThrow(/fill: 17 workgroups \(x 1\) exceeds/);
    expect(() => resolveGrid(workgroups1d(4, 1, 9), 8, 'naive')).toThrow(/naive: 4 workgroups \(x 9\) exceeds/);
  });

  it("sizes one-invocation-per-item grids from the kernel's @workgroup_size", () => {
    const wg = shaderInteger('gelu.wgsl', 'WG');
    expect(threadGrid(GELU_FORWARD, 3 * wg + 1)).toEqual({ count: 4, z: 1 });
    expect(threadGrid(GELU_FORWARD, 0)).toEqual({ count: 1, z: 1 });
    expect(() => threadGrid(MATMUL_BACKWARD_BIAS, 10)).toThrow(
      /matmul_backward_bias has a \d+x\d+x1 workgroup, not 1-D/,
    );
  });
});
