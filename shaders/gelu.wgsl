// tanh-approximated GELU (Hendrycks & Gimpel 2016), as GPT-1 and Hugging Face's `gelu_new`:
//   gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
// Forward and backward over flat arrays; the backward adds into dinp when params.accumulate == 1.

struct Params {
  n: u32,          // elements
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const GELU_SCALE: f32 = 0.7978845608028654; // sqrt(2/pi)
const WG: u32 = 256u;

#include "gelu_common.wgsl"

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  let x = inp[i];
  out[i] = x * sigmoid2(GELU_SCALE * (x + 0.044715 * x * x * x)).s;
}

@compute @workgroup_size(WG)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= params.n) { return; }
  let x = inp[i];
  let sg = sigmoid2(GELU_SCALE * (x + 0.044715 * x * x * x));
  // d/dx [x sigmoid(2u)] = sigmoid(2u) + x * 2 sigmoid(2u) (1 - sigmoid(2u)) * du/dx
  let du_dx = GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
  let dgelu = sg.s + 2.0 * x * sg.s * sg.one_minus_s * du_dx;
  let g = dout[i] * dgelu;
  dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
}
