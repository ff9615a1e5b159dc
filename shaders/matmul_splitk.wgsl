// The fixed-order reduction of split-K matmul (src/ops/matmul-splitk.ts): a weight gradient dW = X^T dY has
// a small M x N and a long K (batch x context), so it is computed as S products over K / S each (the
// ordinary matmul kernels, batched over the slices, writing `partial` [S, M, N]), then summed here:
//   out[c_offset + i] (+)= ((partial[0][i] + partial[1][i]) + partial[2][i]) + ... ,  i < M * N
// Slices in order, one thread per output, no atomics: the same bits on every run and every device.

struct Params {
  n: u32,          // outputs: M * N
  slices: u32,     // S
  c_offset: u32,   // element offset of the first output in `out`
  accumulate: u32, // 0 overwrites out, 1 adds the sum to it
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;  // [S, M, N]
@group(0) @binding(1) var<storage, read_write> out: array<f32>; // [.., M, N] from c_offset
@group(0) @binding(2) var<uniform> params: Params;

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn matmul_splitk_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  var sum = partial[i];
  for (var s = 1u; s < params.slices; s++) { sum += partial[s * params.n + i]; }
  let o = params.c_offset + i;
  out[o] = select(sum, out[o] + sum, params.accumulate == 1u);
}
