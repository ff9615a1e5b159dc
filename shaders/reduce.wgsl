// Fixed-order workgroup reductions, shared by the one-workgroup-per-row kernels (layernorm, softmax,
// crossentropy, attention_probs), the one-workgroup kernels (crossentropy's mean, mse) and gradnorm.
// Include with:
//   #include "reduce.wgsl"
// The including file declares `const WG: u32`, a power of two: the workgroup size of every entry point
// that calls these, and the width of the scratch below. WGSL cannot pass a workgroup array of any size
// to a function, so the scratch lives here, one per file.
// Deterministic: lane i always takes lane i + s, for s = WG/2, ..., 1, so the same inputs give the same bits.

var<workgroup> red: array<f32, WG>;

// Reduces one value per invocation over the workgroup (the sum, or the max with take_max); every
// invocation gets the result. Call from uniform control flow. The trailing barrier lets the caller
// reuse `red` right away.
fn workgroup_reduce(lid: u32, v: f32, take_max: bool) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let a = red[lid];
      let b = red[lid + s];
      red[lid] = select(a + b, max(a, b), take_max);
    }
    workgroupBarrier();
  }
  let result = red[0];
  workgroupBarrier();
  return result;
}

fn workgroup_sum(lid: u32, v: f32) -> f32 {
  return workgroup_reduce(lid, v, false);
}

fn workgroup_max(lid: u32, v: f32) -> f32 {
  return workgroup_reduce(lid, v, true);
}

// One workgroup per row; past the device's workgroups-per-dimension limit the grid is folded into 2-D
// (src/runtime/grid.ts).
// workgroup_id is uniform, so an early return for the tail keeps every barrier in uniform control flow.
fn row_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}
