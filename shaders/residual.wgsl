// Residual connection: out = inp1 + inp2, elementwise. Its backward passes dout unchanged to both inputs:
// residual_backward writes both gradients in one pass over dout; residual_backward_one writes one (an input
// that needs no gradient, or the same tensor on both sides, whose two contributions go in two dispatches
// because one buffer cannot be bound twice as read_write).

struct Params {
  n: u32,           // elements
  accumulate1: u32, // backward: 0 overwrites dinp1, 1 adds to it
  accumulate2: u32, // residual_backward: the same for dinp2
}

@group(0) @binding(0) var<storage, read> inp1: array<f32>;
@group(0) @binding(1) var<storage, read> inp2: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> dinp1: array<f32>;
@group(0) @binding(5) var<storage, read_write> dinp2: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const WG: u32 = 256u;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn residual_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  out[i] = inp1[i] + inp2[i];
}

@compute @workgroup_size(WG)
fn residual_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  let d = dout[i];
  dinp1[i] = select(d, dinp1[i] + d, params.accumulate1 == 1u);
  dinp2[i] = select(d, dinp2[i] + d, params.accumulate2 == 1u);
}

@compute @workgroup_size(WG)
fn residual_backward_one(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  let d = dout[i];
  dinp1[i] = select(d, dinp1[i] + d, params.accumulate1 == 1u);
}
