// Small memory utilities: fill with a constant, and out (+)= scale * inp. Used to seed gradients
// (d loss / d loss = 1, or λ for a weighted auxiliary loss) and in tests.

struct Params {
  n: u32,
  value: f32,      // fill: the constant; scale_copy: the scale
  accumulate: u32, // 0 overwrites out, 1 adds to it
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn fill_constant(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  out[i] = select(params.value, out[i] + params.value, params.accumulate == 1u);
}

@compute @workgroup_size(WG)
fn scale_copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let v = params.value * inp[i];
  out[i] = select(v, out[i] + v, params.accumulate == 1u);
}
