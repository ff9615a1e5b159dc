// Inverted dropout: out = inp * m, with m = 0 (probability p) or 1/(1-p), from the counter-based hash in
// random.wgsl keyed by (step seed, site stream, element index). Backward recomputes the same mask from the
// same key instead of storing it. The step seed is read from a 1-element u32 tensor the host writes each
// step (see src/ops/dropout.ts), so every dropout site shares one upload and the params stay static.
// p = 0 makes m exactly 1, so out = inp bit for bit.
#include "random.wgsl"

struct Params {
  n: u32,          // elements
  p: f32,          // drop probability, in [0, 1)
  stream: u32,     // which dropout site (distinct per site, so masks are independent)
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(4) var<storage, read> step_seed: array<u32>;     // [1] this step's seed
@group(0) @binding(5) var<storage, read> triples: array<u32>;       // tests: [n, 3] (seed, stream, index)
@group(0) @binding(6) var<storage, read_write> out_u32: array<u32>; // tests: [n]
@group(0) @binding(7) var<uniform> params: Params;

const WG: u32 = 256u;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn dropout_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  out[i] = inp[i] * dropout_scale(step_seed[0], params.stream, i, params.p);
}

@compute @workgroup_size(WG)
fn dropout_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  let g = dout[i] * dropout_scale(step_seed[0], params.stream, i, params.p);
  dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
}

// Test entry points: the hash and the dropout multiplier for arbitrary (seed, stream, index) triples, so
// tests can prove random.wgsl and src/runtime/random.ts agree bit for bit.
@compute @workgroup_size(WG)
fn random_u32_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  out_u32[i] = random_u32(triples[3u * i], triples[3u * i + 1u], triples[3u * i + 2u]);
}

@compute @workgroup_size(WG)
fn dropout_scale_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  out[i] = dropout_scale(triples[3u * i], triples[3u * i + 1u], triples[3u * i + 2u], params.p);
}
