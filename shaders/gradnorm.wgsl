// Global gradient norm and its clip scale (PyTorch's clip_grad_norm_), as a deterministic two-pass reduction:
//   gradnorm_partials: one dispatch per gradient tensor; workgroup k sums the squares of its CHUNK elements and
//     writes partials[offset + k]. Each tensor owns the slice [offset, offset + ceil(n / CHUNK)).
//   gradnorm_reduce: one workgroup sums all partials in a fixed order, writes norm[0] = sqrt(sum) and the clip
//     scale min(1, max_norm / (norm + 1e-6)) into opt_state[CLIP_SCALE] (1 when clipping is off), which AdamW
//     multiplies into each gradient as it reads it, so gradients are never rewritten.
// The partition depends only on the tensor sizes, never on the device, so the same inputs give the same bits.

struct Params {
  n: u32,          // partials: elements of this gradient tensor
  offset: u32,     // partials: first slot of this tensor's slice of `partials`
  count: u32,      // reduce: total number of partials
  max_norm: f32,   // reduce: clip threshold
  clip: u32,       // reduce: 1 clips (scale = min(1, max_norm / (norm + 1e-6))), 0 leaves scale = 1
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<storage, read> partials_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> norm: array<f32>;
@group(0) @binding(4) var<storage, read_write> opt_state: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WG: u32 = 256u;
const ITEMS: u32 = 4u;             // elements per thread in pass 1
const CHUNK: u32 = WG * ITEMS;     // elements per workgroup (GRADNORM_CHUNK in src/ops/gradnorm.ts reads it)
const CLIP_SCALE: u32 = 3u;        // slot in opt_state: CLIP_SCALE of adamw.wgsl (a test checks they agree)
const CLIP_EPS: f32 = 1e-6;        // PyTorch's clip_grad_norm_: max_norm / (total_norm + 1e-6)

#include "reduce.wgsl"

@compute @workgroup_size(WG)
fn gradnorm_partials(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Past the device's workgroups-per-dimension limit the grid is folded into 2-D; the fold may add a few
  // groups past the end.
  let group = wid.x + wid.y * nwg.x;
  let groups = (params.n + CHUNK - 1u) / CHUNK;
  if (group >= groups) { return; }
  let base = group * CHUNK;
  var acc = 0.0;
  for (var k = 0u; k < ITEMS; k = k + 1u) {
    let i = base + k * WG + lid; // coalesced: consecutive threads read consecutive elements
    if (i < params.n) {
      let g = grad[i];
      acc = acc + g * g;
    }
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    partials[params.offset + group] = total;
  }
}

@compute @workgroup_size(WG)
fn gradnorm_reduce(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.count; i = i + WG) {
    acc = acc + partials_in[i];
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    let n = sqrt(total);
    norm[0] = n;
    // A non-finite norm gives an unspecified scale (WGSL assumes finite math): the host checks norm[0].
    opt_state[CLIP_SCALE] = select(1.0, min(1.0, params.max_norm / (n + CLIP_EPS)), params.clip == 1u);
  }
}
