// Row-wise softmax over the last dim: out = softmax(scale * inp), optionally with GPT-1's causal mask as
// Hugging Face applies it (modeling_openai.py, Attention._attn): after scaling, w = w * b + -1e4 * (1 - b),
// so a masked score (column j > row i within a [.., T, T] block) is exactly -1e4, not -inf. With scores of
// ordinary size, exp(-1e4 - max) is 0 in f32, as in PyTorch.
// One workgroup per row, max-subtracted, fixed-order tree reductions (deterministic bits).
// Not here: the fused attention kernel (online softmax), which the model uses for speed; this one is
// the plain reference-shaped op, used for general rows and for attention views.

struct Params {
  rows: u32,       // number of rows (all leading dims flattened)
  cols: u32,       // length of each row
  T: u32,          // causal: rows per [T, cols] block; the query index of a row is row % T
  causal: u32,     // 1: columns j > (row % T) are masked to -1e4
  scale: f32,      // multiplies inp before the mask (1/sqrt(head size) for attention)
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;        // [rows, cols]
// out is written by the forward and only read by the backward.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // [rows, cols]
@group(0) @binding(2) var<storage, read> dout: array<f32>;       // [rows, cols]
@group(0) @binding(3) var<storage, read_write> dinp: array<f32>; // [rows, cols]
@group(0) @binding(4) var<uniform> params: Params;

const WG: u32 = 64u;
const MASK_VALUE: f32 = -1e4;
const LOWEST: f32 = -0x1.fffffep+127f; // most negative finite f32

#include "reduce.wgsl"

// Columns below this are unmasked.
fn visible_cols(row: u32) -> u32 {
  if (params.causal == 1u) { return min(params.cols, row % params.T + 1u); }
  return params.cols;
}

fn logit(i: u32, j: u32, visible: u32) -> f32 {
  return select(MASK_VALUE, params.scale * inp[i], j < visible);
}

@compute @workgroup_size(WG)
fn softmax_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let visible = visible_cols(row);
  var m = LOWEST;
  for (var j = tid; j < cols; j += WG) { m = max(m, logit(base + j, j, visible)); }
  m = workgroup_max(tid, m);
  var s = 0.0;
  for (var j = tid; j < cols; j += WG) { s += exp(logit(base + j, j, visible) - m); }
  // s >= 1: the maximum contributes exp(0).
  let total = workgroup_sum(tid, s);
  for (var j = tid; j < cols; j += WG) { out[base + j] = exp(logit(base + j, j, visible) - m) / total; }
}

// dinp_j (+)= scale * out_j * (dout_j - sum_k dout_k out_k) for unmasked j. A masked score is the
// constant -1e4, so its input gets no gradient; masked outputs still enter the sum, as they are part of
// the normalization.
@compute @workgroup_size(WG)
fn softmax_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let visible = visible_cols(row);
  var s = 0.0;
  for (var j = tid; j < cols; j += WG) { s += dout[base + j] * out[base + j]; }
  let dot = workgroup_sum(tid, s);
  for (var j = tid; j < cols; j += WG) {
    let i = base + j;
    let g = select(0.0, params.scale * out[i] * (dout[i] - dot), j < visible);
    dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
  }
}
