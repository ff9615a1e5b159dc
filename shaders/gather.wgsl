// Row gather: out[r, :] = inp[index[r], :]. Picks the extract token's final state for task heads
// (GPT-1 §3.3). Backward writes every input row once: dinp[n, :] = dout[inverse[n], :], or 0 for rows
// nobody gathered. `inverse` is built on the host (indices come from there), so no scatter and no atomics.

struct Params {
  R: u32,          // gathered rows
  N: u32,          // input rows
  C: u32,          // row length
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;        // [N, C]
@group(0) @binding(1) var<storage, read> index: array<u32>;      // [R]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [R, C]
@group(0) @binding(3) var<storage, read> dout: array<f32>;       // [R, C]
@group(0) @binding(4) var<storage, read> inverse: array<u32>;    // [N]: gathering row or 0xFFFFFFFF
@group(0) @binding(5) var<storage, read_write> dinp: array<f32>; // [N, C]
@group(0) @binding(6) var<uniform> params: Params;

const WG: u32 = 256u;
const NONE: u32 = 0xFFFFFFFFu;

@compute @workgroup_size(WG)
fn gather_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.R * params.C) { return; }
  let r = i / params.C;
  let c = i % params.C;
  out[i] = inp[index[r] * params.C + c];
}

@compute @workgroup_size(WG)
fn gather_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * params.C) { return; }
  let n = i / params.C;
  let c = i % params.C;
  let r = inverse[n];
  let g = select(0.0, dout[r * params.C + c], r != NONE);
  dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
}
