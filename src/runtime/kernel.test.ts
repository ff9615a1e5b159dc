// Kernel specs: the WGSL interface parser and params packing.
import { describe, expect, it } from 'vitest';
import { GELU_BACKWARD, GELU_FORWARD } from '../ops/gelu.ts';
import { kernelBindings, packParams, paramsByteSize, parseShaderInterface } from './kernel.ts';

const SOURCE = `
struct Params {
  B: u32,   // batch
  eps: f32, // epsilon
  shift: i32,
}
@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0)  @binding(2)  var<uniform> params: Params;
@group(0) @binding(3) var<storage,read_write> mean : array<f32>;
`;

describe('WGSL interface parsing', () => {
  it('reads bindings with their access modes and the Params fields in order', () => {
    const iface = parseShaderInterface(SOURCE);
    expect([...iface.bindings.values()]).toEqual([
      { name: 'inp', group: 0, binding: 0, access: 'read' },
      { name: 'out', group: 0, binding: 1, access: 'read_write' },
      { name: 'params', group: 0, binding: 2, access: 'uniform' },
      { name: 'mean', group: 0, binding: 3, access: 'read_write' },
    ]);
    expect(iface.params).toEqual([
      { name: 'B', type: 'u32' },
      { name: 'eps', type: 'f32' },
      { name: 'shift', type: 'i32' },
    ]);
  });

  it('resolves a kernel spec against shaders/gelu.wgsl', () => {
    expect(kernelBindings(GELU_FORWARD).map((b) => [b.name, b.binding, b.access])).toEqual([
      ['inp', 0, 'read'],
      ['out', 1, 'read_write'],
      ['params', 4, 'uniform'],
    ]);
    expect(() => kernelBindings({ ...GELU_FORWARD, bindings: ['nope'] })).toThrow(/does not declare/);
  });

  it('packs params little-endian by name and rejects unknown names and non-u32 values', () => {
    const view = new DataView(packParams(GELU_BACKWARD, { n: 70000, accumulate: 1 }));
    expect(paramsByteSize(GELU_BACKWARD)).toBe(16);
    expect(view.getUint32(0, true)).toBe(70000);
    expect(view.getUint32(4, true)).toBe(1);
    expect(() => packParams(GELU_BACKWARD, { n: 1, bogus: 2 })).toThrow(/unknown param "bogus"/);
    expect(() => packParams(GELU_BACKWARD, { n: -1 })).toThrow(/not a u32/);
    expect(() => packParams(GELU_BACKWARD, { n: 1.5 })).toThrow(/not a u32/);
  });
});
