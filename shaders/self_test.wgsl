// Device self-test: out[i] = a * x[i] + y[i] over small integers, so the exact answer is known and
// any broken adapter, driver or transfer shows as a mismatch. Run by the device panel and the tests.

struct Params {
  n: u32,
  a: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn self_test_axpy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.n) { return; }
  out[i] = params.a * x[i] + y[i];
}
