// Dispatch grids. Graphs are built without a device (memory planning runs on the CPU), so an op records
// either a fixed grid [x, y, z] or a count of workgroups along one logical axis, and Program.compile
// resolves both against the device's maxComputeWorkgroupsPerDimension, folding a count past the limit
// into (x, y). Kernels on a folded axis number their workgroups wid.x + wid.y * num_workgroups.x, so any
// fold covers the same indices with the same work per index (results do not depend on the fold); the few
// workgroups a fold adds past the end return early.
import { type KernelSpec, workgroupSize } from './kernel.ts';

export type Workgroups = readonly [number, number, number];

/** `count` workgroups along one axis (folded into x and y when compiled), in each of `z` slices (grid z). */
export interface FlatGrid {
  readonly count: number;
  readonly z: number;
}

export type Grid = Workgroups | FlatGrid;

/** Whether a grid is a workgroup count to fold (a fixed grid is an array). */
export function isFlatGrid(grid: Grid | readonly number[]): grid is FlatGrid {
  return !Array.isArray(grid);
}

/** Workgroups for `n` independent items at `perGroup` items each (in each of `z` slices). */
export function workgroups1d(n: number, perGroup: number, z = 1): FlatGrid {
  return { count: Math.max(1, Math.ceil(n / perGroup)), z };
}

/** The grid of a kernel with a 1-D @workgroup_size that gives each of `n` items (per z slice) an invocation. */
export function threadGrid(spec: KernelSpec, n: number, z = 1): FlatGrid {
  const [sx, sy, sz] = workgroupSize(spec);
  if (sy !== 1 || sz !== 1) throw new Error(`${spec.shader}: ${spec.entry} has a ${sx}x${sy}x${sz} workgroup, not 1-D`);
  return workgroups1d(n, sx, z);
}

/** (x, y) with x * y >= groups and both <= maxPerDim: one row while it fits, else rows of equal length. */
export function foldWorkgroups(groups: number, maxPerDim: number): readonly [number, number] {
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

/** The grid to dispatch on a device allowing `maxPerDim` workgroups per dimension; errors name `label`. */
export function resolveGrid(grid: Grid, maxPerDim: number, label: string): Workgroups {
  const resolved: Workgroups = isFlatGrid(grid) ? [...foldWorkgroups(grid.count, maxPerDim), grid.z] : grid;
  if (resolved.some((w) => w > maxPerDim)) {
    const what = isFlatGrid(grid) ? `${grid.count} workgroups (x ${grid.z})` : `grid [${grid.join(', ')}]`;
    throw new Error(`${label}: ${what} exceeds the device's maxComputeWorkgroupsPerDimension ${maxPerDim}`);
  }
  return resolved;
}
