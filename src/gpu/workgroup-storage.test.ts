// Workgroup memory per entry point, read from the WGSL: the figures the shaders' comments state, only the
// variables an entry point reaches (through the functions it calls) counted, each rounded up to 16 bytes
// as Dawn counts them. matmul-limits.gpu.test.ts checks the count against Dawn's own validation.
import { describe, expect, it } from 'vitest';
import { shaderInteger } from './shader-constants.ts';
import { largestWorkgroupStorage, workgroupStorageBytes } from './workgroup-storage.ts';

describe('workgroupStorageBytes', () => {
  it('counts what each matmul entry point uses, not what its file declares', () => {
    expect(workgroupStorageBytes('matmul.wgsl', 'matmul_forward_naive')).toBe(0);
    expect(workgroupStorageBytes('matmul.wgsl', 'matmul_forward_tiled')).toBe(2 * 1040 * 4);
    expect(workgroupStorageBytes('matmul.wgsl', 'matmul_backward_bias')).toBe(256 * 4);
    expect(workgroupStorageBytes('matmul_vec4.wgsl', 'matmul_forward_vec4')).toBe(2 * 256 * 16);
    expect(workgroupStorageBytes('matmul_vec4.wgsl', 'matmul_forward_vec4_large_preact')).toBe((512 + 256) * 16);
    // Two buffers of two vec4 operand tiles: 32 KiB, twice WebGPU's default.
    const wide = 2 * 2 * shaderInteger('matmul_wide.wgsl', 'W_BUF') * 16;
    expect(wide).toBe(32768);
    expect(workgroupStorageBytes('matmul_wide.wgsl', 'matmul_forward_vec4_wide')).toBe(wide);
  });

  it("agrees with the attention kernels' comments, per block (forward and backward reach different tiles)", () => {
    const bytes = (entry: string, BLOCK: number) => workgroupStorageBytes('attention.wgsl', entry, { BLOCK });
    expect(workgroupStorageBytes('attention.wgsl', 'attention_forward')).toBe(14976);
    expect(workgroupStorageBytes('attention.wgsl', 'attention_backward')).toBe(14272);
    expect([bytes('attention_forward', 32), bytes('attention_forward', 64)]).toEqual([21440, 34368]);
    expect([bytes('attention_backward', 32), bytes('attention_backward', 64)]).toEqual([23872, 43072]);
  });

  it('knows the largest kernel, which a device asks the adapter for', () => {
    expect(largestWorkgroupStorage()).toBeGreaterThanOrEqual(32768);
  });

  it('names the shader and entry it cannot find', () => {
    expect(() => workgroupStorageBytes('matmul.wgsl', 'nope')).toThrow(/matmul.wgsl: no function "nope"/);
  });
});
