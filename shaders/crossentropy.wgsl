// Softmax cross-entropy: the classifier end of the LM head (and of the fine-tuning heads, where V is the
// number of classes or choices). Per row r of a chunk of logits [R, Vp] (columns >= V are padding and
// are ignored):
//   loss[r] = logsumexp(logits[r, :V]) - logits[r, target[r]]
//   dlogits[r, v] = dloss[r] * (softmax(logits[r])[v] - (v == target[r]))   (0 in padding columns)
// A row counts only when target < V; the ignore index 0xFFFFFFFF (HF's -100) gives loss 0, gradient 0.
// Per-row tensors (targets, losses, lse, dloss) are batch-wide [N]; a chunk's row r is row row_offset + r
// of them, so the LM head can run in row chunks while the [N, V] logits never exist at once.
// Not here: the matmul that produces the logits (that is another op), and any check that targets are in
// range (the host validates token ids; an out-of-range target is treated as ignored, never read).
//
// Every reduction is in a fixed order (no atomics, same inputs give the same bits): in the workgroup
// variants a strided loop plus a fixed tree in workgroup memory; in the *_rowwise variants, one thread
// per row, a plain left-to-right loop. The rowwise forward and backward exist for short rows (the TS
// glue picks them): a workgroup barrier costs far more than a short row's arithmetic on CPU WebGPU
// (SwiftShader), and 256 threads on a row of a few dozen classes are idle anyway. Reference: llm.c's
// fused_classifier (train_gpt2.cu).

struct Params {
  R: u32,          // forward/backward: rows in this chunk (logits are [R, Vp])
  V: u32,          // classes: columns that count; also decides which targets are valid (< V)
  Vp: u32,         // padded row stride of logits/dlogits (>= V)
  row_offset: u32, // forward/backward: chunk row r is batch row row_offset + r
  N: u32,          // mean/row_dloss: rows of the batch-wide per-row tensors
  scale: f32,      // row_dloss: dloss[r] = scale * dmean[0] / count for valid rows
  accumulate: u32, // backward (separate dlogits) and row_dloss: 0 overwrites, 1 adds
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;         // [R, Vp]
@group(0) @binding(1) var<storage, read> targets: array<u32>;        // [N]
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;   // [N]
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;      // [N] logsumexp per row, for backward
@group(0) @binding(4) var<storage, read> lse_in: array<f32>;         // [N] the same, read by backward
@group(0) @binding(5) var<storage, read> dloss: array<f32>;          // [N] upstream gradient per row
@group(0) @binding(6) var<storage, read_write> dlogits: array<f32>;  // [R, Vp]
@group(0) @binding(7) var<storage, read> losses_in: array<f32>;      // [N] mean: the per-row losses
@group(0) @binding(8) var<storage, read_write> mean_loss: array<f32>; // [1]
@group(0) @binding(9) var<storage, read_write> count: array<f32>;    // [1] valid rows (exact below 2^24)
@group(0) @binding(10) var<storage, read> dmean: array<f32>;         // [1] upstream gradient of the mean
@group(0) @binding(11) var<storage, read_write> dloss_out: array<f32>; // [N] row_dloss result (grad(losses))
@group(0) @binding(12) var<uniform> params: Params;

const WG: u32 = 256u;
const ROW_WG: u32 = 64u; // rowwise variants: threads (rows) per workgroup
const F32_LOWEST: f32 = -3.4028234663852886e38;

#include "reduce.wgsl"

// Valid rows of the whole batch [N], counted in a fixed order by one workgroup. Every partial count is
// an integer <= N, so the f32 sum is exact below 2^24 rows (as is the f32 `count` output anyway).
fn count_valid(lid: u32) -> f32 {
  var c = 0.0;
  for (var i = lid; i < params.N; i = i + WG) {
    c = c + select(0.0, 1.0, targets[i] < params.V);
  }
  return workgroup_sum(lid, c);
}

// Forward: one workgroup per row. Two passes over the row (max, then sum of exp(x - max)), so every
// exp argument is <= 0 and the largest term is exactly 1: no overflow for any finite logits.
@compute @workgroup_size(WG)
fn crossentropy_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = row_index(wid, nwg);
  if (r >= params.R) { return; }
  let base = r * params.Vp;
  var m = F32_LOWEST;
  for (var v = lid; v < params.V; v = v + WG) { m = max(m, logits[base + v]); }
  m = workgroup_max(lid, m);
  var s = 0.0;
  for (var v = lid; v < params.V; v = v + WG) { s = s + exp(logits[base + v] - m); }
  s = workgroup_sum(lid, s);
  if (lid == 0u) {
    let row = params.row_offset + r;
    let t = targets[row];
    let row_lse = m + log(s);
    lse[row] = row_lse;
    // An ignored row's loss is the constant 0, so its gradient is 0 too (backward agrees).
    losses[row] = select(0.0, row_lse - logits[base + min(t, params.V - 1u)], t < params.V);
  }
}

// Forward, rowwise: one thread per row, the same two passes as above in sequential column order. No
// workgroup memory or barriers, so the rows of a chunk fold into 2-D like an elementwise grid
// (threadGrid in src/runtime/grid.ts).
@compute @workgroup_size(ROW_WG)
fn crossentropy_forward_rowwise(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let r = gid.x + gid.y * nwg.x * ROW_WG;
  if (r >= params.R) { return; }
  let base = r * params.Vp;
  var m = F32_LOWEST;
  for (var v = 0u; v < params.V; v++) { m = max(m, logits[base + v]); }
  var s = 0.0;
  for (var v = 0u; v < params.V; v++) { s += exp(logits[base + v] - m); }
  let row = params.row_offset + r;
  let t = targets[row];
  let row_lse = m + log(s);
  lse[row] = row_lse;
  losses[row] = select(0.0, row_lse - logits[base + min(t, params.V - 1u)], t < params.V);
}

// dlogits = dloss * (softmax - onehot) for one element; `x` is the logit.
fn dlogit(x: f32, v: u32, t: u32, row_lse: f32, g: f32) -> f32 {
  let p = exp(x - row_lse);
  return g * (p - select(0.0, 1.0, v == t));
}

// Backward into a separate dlogits tensor: one workgroup per row, threads strided over the Vp columns.
// Padding columns get 0, so the matmul backward sees no gradient from them.
@compute @workgroup_size(WG)
fn crossentropy_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = row_index(wid, nwg);
  if (r >= params.R) { return; }
  let row = params.row_offset + r;
  let t = targets[row];
  let valid = t < params.V;
  let g = select(0.0, dloss[row], valid);
  let row_lse = lse_in[row];
  let base = r * params.Vp;
  for (var v = lid; v < params.Vp; v = v + WG) {
    var d = 0.0;
    if (valid && v < params.V) { d = dlogit(logits[base + v], v, t, row_lse, g); }
    dlogits[base + v] = select(d, dlogits[base + v] + d, params.accumulate == 1u);
  }
}

// Backward in place (llm.c's trick): `dlogits` holds the logits on entry and their gradient on exit.
// One read_write binding, since WebGPU forbids binding one range as both read and writable in a
// dispatch. Each element is read and then written by the same thread, so there is no race. Always
// overwrites (there is nothing to accumulate into: the logits are gone).
@compute @workgroup_size(WG)
fn crossentropy_backward_inplace(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = row_index(wid, nwg);
  if (r >= params.R) { return; }
  let row = params.row_offset + r;
  let t = targets[row];
  let valid = t < params.V;
  let g = select(0.0, dloss[row], valid);
  let row_lse = lse_in[row];
  let base = r * params.Vp;
  for (var v = lid; v < params.Vp; v = v + WG) {
    var d = 0.0;
    if (valid && v < params.V) { d = dlogit(dlogits[base + v], v, t, row_lse, g); }
    dlogits[base + v] = d;
  }
}

// Backward variants, rowwise: one thread per row walks its Vp columns (in order; each element is still
// written by exactly one thread). No barriers here either, but for short rows the workgroup variants'
// 256 threads per row are mostly idle (V = 32 leaves 7 of 8 without a column) and SwiftShader still
// runs them all: 1024 rows of 32 took ~9 ms there in place, against 0.4 ms rowwise.
@compute @workgroup_size(ROW_WG)
fn crossentropy_backward_rowwise(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let r = gid.x + gid.y * nwg.x * ROW_WG;
  if (r >= params.R) { return; }
  let row = params.row_offset + r;
  let t = targets[row];
  let valid = t < params.V;
  let g = select(0.0, dloss[row], valid);
  let row_lse = lse_in[row];
  let base = r * params.Vp;
  for (var v = 0u; v < params.Vp; v++) {
    var d = 0.0;
    if (valid && v < params.V) { d = dlogit(logits[base + v], v, t, row_lse, g); }
    dlogits[base + v] = select(d, dlogits[base + v] + d, params.accumulate == 1u);
  }
}

@compute @workgroup_size(ROW_WG)
fn crossentropy_backward_inplace_rowwise(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let r = gid.x + gid.y * nwg.x * ROW_WG;
  if (r >= params.R) { return; }
  let row = params.row_offset + r;
  let t = targets[row];
  let valid = t < params.V;
  let g = select(0.0, dloss[row], valid);
  let row_lse = lse_in[row];
  let base = r * params.Vp;
  for (var v = 0u; v < params.Vp; v++) {
    var d = 0.0;
    if (valid && v < params.V) { d = dlogit(dlogits[base + v], v, t, row_lse, g); }
    dlogits[base + v] = d;
  }
}

// Mean over valid rows of the batch-wide losses [N]: one workgroup, fixed order. Writes the mean and
// the count. With no valid row the mean is 0 (PyTorch gives NaN), so a fully padded batch is harmless.
@compute @workgroup_size(WG)
fn crossentropy_mean(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < params.N; i = i + WG) {
    // Ignored rows hold 0 from the forward; select anyway so the mean never depends on that.
    s = s + select(0.0, losses_in[i], targets[i] < params.V);
  }
  s = workgroup_sum(lid, s);
  let c = count_valid(lid);
  if (lid == 0u) {
    mean_loss[0] = s / max(c, 1.0);
    count[0] = c;
  }
}

// Backward of the mean, as per-row upstream gradients: dloss[r] = scale * dmean[0] / count for valid
// rows, 0 for ignored ones. It needs only the targets, so it can run before (or between) the forward
// chunks of a fused LM head, with no host sync.
@compute @workgroup_size(WG)
fn crossentropy_row_dloss(@builtin(local_invocation_index) lid: u32) {
  let c = count_valid(lid);
  let per_row = params.scale * dmean[0] / max(c, 1.0);
  for (var i = lid; i < params.N; i = i + WG) {
    let d = select(0.0, per_row, targets[i] < params.V);
    dloss_out[i] = select(d, dloss_out[i] + d, params.accumulate == 1u);
  }
}
