// LayerNorm over the last dim (Ba, Kiros & Hinton 2016; GPT-1 is post-LN, eps 1e-5), llm.c's layout:
//   out = (x - mean) * rstd * weight + bias,  rstd = 1 / sqrt(var + eps),  var biased (divide by C).
// Rows are independent (N = B*T of them, C wide). Forward and dinp use one workgroup per row with
// fixed-order tree reductions in workgroup memory, or, in the *_rowwise variants for short rows (the TS
// glue picks), one thread per row with sequential loops and no barriers: on CPU WebGPU (SwiftShader) a
// barrier costs far more than a short row's arithmetic. dweight/dbias (sums over all rows) use a
// deterministic two-pass reduction through a partials scratch tensor, since WGSL has no float atomics.
// Not here: any fusion with the residual add (the model composes ops).

struct Params {
  N: u32,          // rows (B*T)
  C: u32,          // channels (normalized dim)
  eps: f32,        // forward: added to the variance
  block_rows: u32, // backward partials: rows summed per block
  nblocks: u32,    // backward partials: ceil(N / block_rows)
  accumulate: u32, // backward: 0 overwrites the gradient this dispatch writes, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;             // [N, C]
@group(0) @binding(1) var<storage, read> weight: array<f32>;          // [C]
@group(0) @binding(2) var<storage, read> bias: array<f32>;            // [C]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;       // [N, C]
// mean and rstd are written by the forward and only read by the backward entry points.
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;      // [N]
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;      // [N]
@group(0) @binding(6) var<storage, read> dout: array<f32>;            // [N, C]
@group(0) @binding(7) var<storage, read_write> dinp: array<f32>;      // [N, C]
// Scratch: plane 0 holds per-block sums of dout * norm (for dweight), plane 1 of dout (for dbias).
@group(0) @binding(8) var<storage, read_write> partials: array<f32>;  // [2, nblocks, C]
@group(0) @binding(9) var<storage, read_write> dweight: array<f32>;   // [C]
@group(0) @binding(10) var<storage, read_write> dbias: array<f32>;    // [C]
@group(0) @binding(11) var<uniform> params: Params;

const WG: u32 = 64u;

#include "reduce.wgsl"

// Rowwise variants: one invocation per row, rows folded into 2-D like an elementwise grid
// (threadGrid in src/runtime/grid.ts).
fn thread_row(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn layernorm_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let row = row_index(wid, nwg);
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  // Pass 1, the mean, of values shifted by the row's first element: x - shift is exact for values
  // within a factor of 2 of each other, so a large common offset (x + 1e4) costs no precision in the sum.
  let shift = inp[base];
  var s = 0.0;
  for (var c = tid; c < C; c += WG) { s += inp[base + c] - shift; }
  let m = shift + workgroup_sum(tid, s) / f32(C);
  // Pass 2, the variance of (x - mean): no E[x^2] - E[x]^2 cancellation.
  var v = 0.0;
  for (var c = tid; c < C; c += WG) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let r = inverseSqrt(workgroup_sum(tid, v) / f32(C) + params.eps);
  for (var c = tid; c < C; c += WG) {
    out[base + c] = (inp[base + c] - m) * r * weight[c] + bias[c];
  }
  if (tid == 0u) {
    mean[row] = m;
    rstd[row] = r;
  }
}

// The forward's numerics (shifted mean, then the variance of x - mean) with sequential sums over the row.
@compute @workgroup_size(WG)
fn layernorm_forward_rowwise(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let row = thread_row(gid, nwg);
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  let shift = inp[base];
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += inp[base + c] - shift; }
  let m = shift + s / f32(C);
  var v = 0.0;
  for (var c = 0u; c < C; c++) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let r = inverseSqrt(v / f32(C) + params.eps);
  for (var c = 0u; c < C; c++) {
    out[base + c] = (inp[base + c] - m) * r * weight[c] + bias[c];
  }
  mean[row] = m;
  rstd[row] = r;
}

// dinp (+)= rstd * (dnorm - mean(dnorm) - norm * mean(dnorm * norm)),  dnorm = weight * dout (llm.c).
@compute @workgroup_size(WG)
fn layernorm_backward_dinp(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let row = row_index(wid, nwg);
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  let m = mean[row];
  let r = rstd[row];
  var sum_dnorm = 0.0;
  var sum_dnorm_norm = 0.0;
  for (var c = tid; c < C; c += WG) {
    let norm = (inp[base + c] - m) * r;
    let dnorm = weight[c] * dout[base + c];
    sum_dnorm += dnorm;
    sum_dnorm_norm += dnorm * norm;
  }
  let dnorm_mean = workgroup_sum(tid, sum_dnorm) / f32(C);
  let dnorm_norm_mean = workgroup_sum(tid, sum_dnorm_norm) / f32(C);
  for (var c = tid; c < C; c += WG) {
    let norm = (inp[base + c] - m) * r;
    let dnorm = weight[c] * dout[base + c];
    let g = (dnorm - dnorm_mean - norm * dnorm_norm_mean) * r;
    let i = base + c;
    dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
  }
}

// layernorm_backward_dinp with one thread per row (sequential sums; same formula).
@compute @workgroup_size(WG)
fn layernorm_backward_dinp_rowwise(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let row = thread_row(gid, nwg);
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  let m = mean[row];
  let r = rstd[row];
  var sum_dnorm = 0.0;
  var sum_dnorm_norm = 0.0;
  for (var c = 0u; c < C; c++) {
    let norm = (inp[base + c] - m) * r;
    let dnorm = weight[c] * dout[base + c];
    sum_dnorm += dnorm;
    sum_dnorm_norm += dnorm * norm;
  }
  let dnorm_mean = sum_dnorm / f32(C);
  let dnorm_norm_mean = sum_dnorm_norm / f32(C);
  for (var c = 0u; c < C; c++) {
    let norm = (inp[base + c] - m) * r;
    let dnorm = weight[c] * dout[base + c];
    let g = (dnorm - dnorm_mean - norm * dnorm_norm_mean) * r;
    let i = base + c;
    dinp[i] = select(g, dinp[i] + g, params.accumulate == 1u);
  }
}

// Pass 1 of dweight/dbias: one invocation per (column, block of block_rows rows) sums its rows in order.
// Grid: (ceil(C / WG), nblocks).
@compute @workgroup_size(WG)
fn layernorm_backward_partials(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let blk = gid.y;
  let C = params.C;
  if (c >= C || blk >= params.nblocks) { return; }
  let first = blk * params.block_rows;
  let last = min(first + params.block_rows, params.N);
  var dw = 0.0;
  var db = 0.0;
  for (var row = first; row < last; row++) {
    let i = row * C + c;
    let norm = (inp[i] - mean[row]) * rstd[row];
    dw += dout[i] * norm;
    db += dout[i];
  }
  partials[blk * C + c] = dw;
  partials[(params.nblocks + blk) * C + c] = db;
}

// Pass 2: one invocation per column sums the blocks' partials in block order (a flat grid over C).
fn sum_blocks(plane: u32, c: u32) -> f32 {
  var s = 0.0;
  for (var blk = 0u; blk < params.nblocks; blk++) {
    s += partials[(plane * params.nblocks + blk) * params.C + c];
  }
  return s;
}

@compute @workgroup_size(WG)
fn layernorm_backward_dweight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG;
  if (c >= params.C) { return; }
  let g = sum_blocks(0u, c);
  dweight[c] = select(g, dweight[c] + g, params.accumulate == 1u);
}

@compute @workgroup_size(WG)
fn layernorm_backward_dbias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG;
  if (c >= params.C) { return; }
  let g = sum_blocks(1u, c);
  dbias[c] = select(g, dbias[c] + g, params.accumulate == 1u);
}
