// Weighted mean squared error: the regression head's loss (STS-B), as PyTorch's MSELoss(reduction='mean')
// over the rows whose weight is non-zero. Rows are a batch's example slots; padding slots get weight 0.
//   loss = sum_i w_i (p_i - y_i)^2 / sum_i w_i            (0 when sum_i w_i = 0, never NaN)
//   dinp_i = dout * 2 w_i (p_i - y_i) / sum_i w_i
// N is a batch of examples (tens to hundreds), so each entry point is one workgroup: a strided loop plus a
// fixed tree in workgroup memory. Fixed order throughout: the same inputs give the same bits.

struct Params {
  N: u32,          // rows
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;        // [N] predictions
@group(0) @binding(1) var<storage, read> targets: array<f32>;    // [N]
@group(0) @binding(2) var<storage, read> weights: array<f32>;    // [N] row weights (0: padding)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // [1] the weighted mean
@group(0) @binding(4) var<storage, read> dout: array<f32>;       // [1] upstream gradient of the mean
@group(0) @binding(5) var<storage, read_write> dinp: array<f32>; // [N]
@group(0) @binding(6) var<uniform> params: Params;

const WG: u32 = 256u;

#include "reduce.wgsl"

fn weight_sum(lid: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < params.N; i = i + WG) { s = s + weights[i]; }
  return workgroup_sum(lid, s);
}

@compute @workgroup_size(WG)
fn mse_forward(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < params.N; i = i + WG) {
    let d = inp[i] - targets[i];
    s = s + weights[i] * d * d;
  }
  let total = workgroup_sum(lid, s);
  let w = weight_sum(lid);
  if (lid == 0u) { out[0] = select(0.0, total / w, w > 0.0); }
}

@compute @workgroup_size(WG)
fn mse_backward(@builtin(local_invocation_index) lid: u32) {
  let w = weight_sum(lid);
  let scale = select(0.0, 2.0 * dout[0] / w, w > 0.0);
  for (var i = lid; i < params.N; i = i + WG) {
    let g = scale * weights[i] * (inp[i] - targets[i]);
    dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
  }
}
