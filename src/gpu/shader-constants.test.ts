// The WGSL constant reader: module-scope constants (through other constants and includes) and entry-point
// workgroup sizes, its errors naming the file and the constant, and every shader of the repository read.
import { describe, expect, it } from 'vitest';
import { entryWorkgroupSize, parseShaderConstants, shaderConstant, shaderInteger } from './shader-constants.ts';
import { shaderNames, shaderSource } from './shader-library.ts';

const SOURCE = `
/* a block comment: const HIDDEN: u32 = 1u; */
const WG: u32 = 64u; // const COMMENTED: u32 = 2u;
const CHUNK: u32 = WG * ITEMS;       // declared before ITEMS: module scope is order-free
const ITEMS = 4u;
const HALF: u32 = (WG + 2u) / 4u - 1u;
const MASK: u32 = 0xFFFFFFFFu;
const EPS: f32 = 1e-6;
const NEG: f32 = -3.0e38;
const WHOLE: f32 = 2;
const V = vec3<u32>(1u, 2u, 3u);
const LOOP: u32 = LOOP + 1u;

struct Params {
  n: u32,
}

@compute @workgroup_size(WG)
fn flat(@builtin(global_invocation_id) gid: vec3<u32>) {
  const LOCAL: u32 = 7u; // function scope: not a module constant
}

@workgroup_size(CHUNK / 32u, 8) @compute
fn two_d() {}

@compute
@workgroup_size(16, 2, 2,)
fn three_d() {}
`;

describe('parseShaderConstants', () => {
  const { constants, workgroupSizes } = parseShaderConstants(SOURCE, 'test.wgsl');

  it('evaluates module-scope constants through literals, other constants and arithmetic', () => {
    expect(constants.get('WG')).toBe(64);
    expect(constants.get('ITEMS')).toBe(4);
    expect(constants.get('CHUNK')).toBe(256);
    expect(constants.get('HALF')).toBe(15); // u32 division truncates: 66 / 4 = 16
    expect(constants.get('MASK')).toBe(0xffffffff);
    expect(constants.get('EPS')).toBe(1e-6);
    expect(constants.get('NEG')).toBe(-3.0e38);
    expect(constants.get('WHOLE')).toBe(2);
  });

  it('skips comments and function scope, and keeps why a constant has no value', () => {
    for (const name of ['HIDDEN', 'COMMENTED', 'LOCAL']) expect(constants.has(name)).toBe(false);
    expect(constants.get('V')).toMatch(/cannot read "vec3<u32>/);
    expect(constants.get('LOOP')).toMatch(/in terms of itself/);
  });

  it('reads each entry point workgroup size, whatever the attribute order', () => {
    expect(workgroupSizes.get('flat')).toEqual([64, 1, 1]);
    expect(workgroupSizes.get('two_d')).toEqual([8, 8, 1]);
    expect(workgroupSizes.get('three_d')).toEqual([16, 2, 2]);
  });

  it('fails naming the file and entry point when a workgroup size cannot be read', () => {
    expect(() => parseShaderConstants('@compute @workgroup_size(NOPE) fn k() {}', 'bad.wgsl')).toThrow(
      /bad\.wgsl: @workgroup_size of k: "NOPE" is not a module-scope constant/,
    );
    expect(() => parseShaderConstants('const Z = 0u;\n@compute @workgroup_size(Z) fn k() {}', 'zero.wgsl')).toThrow(
      /zero\.wgsl: @workgroup_size of k has Z = 0/,
    );
  });
});

describe('shader constants of shaders/', () => {
  it('reads constants after includes', () => {
    expect(shaderInteger('gradnorm.wgsl', 'CHUNK')).toBe(
      shaderInteger('gradnorm.wgsl', 'WG') * shaderInteger('gradnorm.wgsl', 'ITEMS'),
    );
    // GELU_SCALE is declared in matmul_common.wgsl, which matmul.wgsl includes.
    expect(shaderConstant('matmul.wgsl', 'GELU_SCALE')).toBe(0.7978845608028654);
  });

  it('fails naming the file and the constant or entry point', () => {
    expect(() => shaderConstant('layernorm.wgsl', 'NO_SUCH')).toThrow(
      /layernorm\.wgsl: no module-scope constant "NO_SUCH" \(after includes it declares [^)]*WG/,
    );
    expect(() => shaderInteger('gradnorm.wgsl', 'CLIP_EPS')).toThrow(
      /gradnorm\.wgsl: constant "CLIP_EPS" = 0\.000001 is not a non-negative integer/,
    );
    expect(() => entryWorkgroupSize('layernorm.wgsl', 'layernorm_sideways')).toThrow(
      /layernorm\.wgsl: no entry point "layernorm_sideways"/,
    );
    expect(() => shaderConstant('nope.wgsl', 'WG')).toThrow(/Unknown shader "nope\.wgsl"/);
  });

  it('reads the workgroup size of every compute entry point of every shader', () => {
    for (const name of shaderNames()) {
      const entries = [...shaderSource(name).matchAll(/@compute[^;{]*?fn\s+(\w+)/g)].map((m) => m[1]!);
      for (const entry of entries) {
        const size = entryWorkgroupSize(name, entry);
        expect(
          size.every((d) => Number.isInteger(d) && d >= 1),
          `${name} ${entry}`,
        ).toBe(true);
      }
    }
    expect(entryWorkgroupSize('matmul.wgsl', 'matmul_backward_bias')).toEqual([
      shaderInteger('matmul.wgsl', 'BB_COLS'),
      shaderInteger('matmul.wgsl', 'BB_LANES'),
      1,
    ]);
  });

  it('reads overrides with their defaults, or with the values a pipeline gives them', () => {
    const source = `
      override BLOCK: u32 = 16u;
      const LANES: u32 = 4u;
      override WG: u32 = BLOCK * LANES;
      @compute @workgroup_size(WG) fn main() {}`;
    const plain = parseShaderConstants(source, 'o.wgsl');
    expect(plain.constants.get('WG')).toBe(64);
    expect(plain.workgroupSizes.get('main')).toEqual([64, 1, 1]);
    const wide = parseShaderConstants(source, 'o.wgsl', { BLOCK: 32 });
    expect(wide.constants.get('WG')).toBe(128);
    expect(wide.workgroupSizes.get('main')).toEqual([128, 1, 1]);
    expect(() => parseShaderConstants(source, 'o.wgsl', { LANES: 8 })).toThrow(/o\.wgsl: no override "LANES"/);
    expect(shaderInteger('attention.wgsl', 'WG', { BLOCK: 64 })).toBe(256);
    expect(entryWorkgroupSize('attention.wgsl', 'attention_forward', { BLOCK: 32 })).toEqual([128, 1, 1]);
  });
});
