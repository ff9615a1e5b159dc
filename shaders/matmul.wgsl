// Batched matrix multiply with a fused epilogue, GPT-1's workhorse (HF Conv1D: y = x @ W + b, W is [K, N]):
//   out_b[M, N] (+)= act(op(A_b)[M, K] @ op(B_b)[K, N] + bias[N]),   b < nb
// op(X) is X or X^T (trans_a / trans_b), act is identity or tanh-GELU (gelu.wgsl's numerics, shared
// through gelu_common.wgsl). A is bound as `inp`, B as `weight`, the result as `out`. Each operand has
// an element offset (row chunks of a larger tensor, e.g. the chunked LM head) and a batch stride; stride 0
// broadcasts it over the batch. With reduce_batch = 1 the batch is summed into one output instead, which
// is how the backward of a broadcast operand sums its gradient (one thread still owns each element).
// Backward is this same kernel with transposes and accumulate (see src/ops/matmul.ts), plus
// matmul_backward_bias for the column sums. Not here: attention (its own fused kernels).
//
// Variants, all computing the same thing, chosen per shape by the TS glue or the tuner (matmul_vec4.wgsl
// has the vec4 register-blocked ones; the Params, bindings and helpers are in matmul_common.wgsl):
//   matmul_forward_naive        one output per thread, flat 1-D grid: the reference, and skinny shapes
//   matmul_forward_tiled        64x64 tile per 256-thread workgroup, K step 16, 4x4 outputs per thread
// and a `_preact` twin of each that also stores the pre-activation (for the fused GELU's backward). The
// twins are separate entry points because a binding used anywhere in an entry point must be bound.

#include "matmul_common.wgsl"

// ---- naive: one output per thread ---------------------------------------------------------------

const NAIVE_WG: u32 = 256u;

// Output (m, n) of grid slice z: a K-term fma chain per batch, batches in order.
fn naive_sum(z: u32, m: u32, n: u32) -> f32 {
  var acc = 0.0;
  for (var i = 0u; i < batch_count(); i++) {
    let b = batch_of(z, i);
    for (var k = 0u; k < params.K; k++) {
      acc = fma(inp[a_index(b, m, k)], weight[b_index(b, k, n)], acc);
    }
  }
  return acc;
}

// Flat output index over M*N; past the device's workgroups-per-dimension limit the grid is folded into 2-D
// (src/runtime/grid.ts).
fn naive_flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * NAIVE_WG;
}

@compute @workgroup_size(NAIVE_WG)
fn matmul_forward_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = naive_flat(gid, nwg);
  if (i >= params.M * params.N) { return; }
  let m = i / params.N;
  let n = i % params.N;
  let r = finish(naive_sum(gid.z, m, n), n);
  write_out(c_index(gid.z, m, n), r.y);
}

@compute @workgroup_size(NAIVE_WG)
fn matmul_forward_naive_preact(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let i = naive_flat(gid, nwg);
  if (i >= params.M * params.N) { return; }
  let m = i / params.N;
  let n = i % params.N;
  let r = finish(naive_sum(gid.z, m, n), n);
  let idx = c_index(gid.z, m, n);
  preact[idx] = r.x;
  write_out(idx, r.y);
}

// ---- tiled: 64x64 outputs per workgroup, 4x4 per thread -----------------------------------------
// Each K step stages a [BK, BM] slice of op(A) and a [BK, BN] slice of op(B) in workgroup memory
// (k-major, rows padded by one float against bank conflicts when A or B is stored k-contiguous), then
// every thread does TM x TN fmas per k from TM + TN shared reads. A thread owns the outputs
// (ty + i*16, tx + j*16): strided rather than a contiguous block, so shared reads of B and global
// writes of out are consecutive across tx. Workgroup memory: 2 * 16 * 65 * 4 = 8,320 bytes.

const T1_BM: u32 = 64u;
const T1_BN: u32 = 64u;
const T1_BK: u32 = 16u;
const T1_TM: u32 = 4u;
const T1_TN: u32 = 4u;
const T1_THREADS: u32 = 256u;           // (BM / TM) * (BN / TN)
const T1_SA: u32 = 65u;                 // padded row length of the staged A slice (BM + 1)
const T1_SB: u32 = 65u;                 // (BN + 1)

var<workgroup> t1_a: array<f32, 1040>;  // [BK, SA]
var<workgroup> t1_b: array<f32, 1040>;  // [BK, SB]
var<private> t1_acc: array<f32, 16>;    // [TM, TN]

fn t1_mainloop(wid: vec3<u32>, lid: u32) {
  let m0 = wid.y * T1_BM;
  let n0 = wid.x * T1_BN;
  let tx = lid % (T1_BN / T1_TN);
  let ty = lid / (T1_BN / T1_TN);
  for (var i = 0u; i < T1_TM * T1_TN; i++) { t1_acc[i] = 0.0; }
  for (var bi = 0u; bi < batch_count(); bi++) {
    let b = batch_of(wid.z, bi);
    for (var k0 = 0u; k0 < params.K; k0 += T1_BK) {
      // Staging: consecutive threads read consecutive addresses of whichever layout A and B have.
      for (var r = 0u; r < T1_BM * T1_BK / T1_THREADS; r++) {
        let e = lid + r * T1_THREADS;
        var mm = e / T1_BK;
        var kk = e % T1_BK;
        if (params.trans_a == 1u) { mm = e % T1_BM; kk = e / T1_BM; }
        t1_a[kk * T1_SA + mm] = load_a(b, m0 + mm, k0 + kk);
      }
      for (var r = 0u; r < T1_BN * T1_BK / T1_THREADS; r++) {
        let e = lid + r * T1_THREADS;
        var nn = e % T1_BN;
        var kk = e / T1_BN;
        if (params.trans_b == 1u) { nn = e / T1_BK; kk = e % T1_BK; }
        t1_b[kk * T1_SB + nn] = load_b(b, k0 + kk, n0 + nn);
      }
      workgroupBarrier();
      for (var kk = 0u; kk < T1_BK; kk++) {
        var av: array<f32, T1_TM>;
        var bv: array<f32, T1_TN>;
        for (var i = 0u; i < T1_TM; i++) { av[i] = t1_a[kk * T1_SA + ty + i * (T1_BM / T1_TM)]; }
        for (var j = 0u; j < T1_TN; j++) { bv[j] = t1_b[kk * T1_SB + tx + j * (T1_BN / T1_TN)]; }
        for (var i = 0u; i < T1_TM; i++) {
          for (var j = 0u; j < T1_TN; j++) {
            t1_acc[i * T1_TN + j] = fma(av[i], bv[j], t1_acc[i * T1_TN + j]);
          }
        }
      }
      workgroupBarrier();
    }
  }
}

@compute @workgroup_size(T1_THREADS)
fn matmul_forward_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  t1_mainloop(wid, lid);
  for (var i = 0u; i < T1_TM; i++) {
    for (var j = 0u; j < T1_TN; j++) {
      let m = wid.y * T1_BM + lid / (T1_BN / T1_TN) + i * (T1_BM / T1_TM);
      let n = wid.x * T1_BN + lid % (T1_BN / T1_TN) + j * (T1_BN / T1_TN);
      if (m < params.M && n < params.N) {
        let r = finish(t1_acc[i * T1_TN + j], n);
        write_out(c_index(wid.z, m, n), r.y);
      }
    }
  }
}

@compute @workgroup_size(T1_THREADS)
fn matmul_forward_tiled_preact(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  t1_mainloop(wid, lid);
  for (var i = 0u; i < T1_TM; i++) {
    for (var j = 0u; j < T1_TN; j++) {
      let m = wid.y * T1_BM + lid / (T1_BN / T1_TN) + i * (T1_BM / T1_TM);
      let n = wid.x * T1_BN + lid % (T1_BN / T1_TN) + j * (T1_BN / T1_TN);
      if (m < params.M && n < params.N) {
        let r = finish(t1_acc[i * T1_TN + j], n);
        let idx = c_index(wid.z, m, n);
        preact[idx] = r.x;
        write_out(idx, r.y);
      }
    }
  }
}

// ---- bias backward: dbias[n] (+)= sum over batches and rows of dout ------------------------------
// 32 columns per workgroup, 8 lanes per column: lane l sums rows l, l+8, ... of every batch in order,
// then lane 0 adds the 8 partial sums in lane order. Fixed order, so the result is deterministic.
// Uses M, N, nb, stride_c, c_offset (dout's layout, that of `out`) and accumulate.

const BB_COLS: u32 = 32u;
const BB_LANES: u32 = 8u;

var<workgroup> bb_part: array<f32, 256>; // [LANES, COLS]

@compute @workgroup_size(BB_COLS, BB_LANES)
fn matmul_backward_bias(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.x * BB_COLS + lid.x;
  var s = 0.0;
  if (n < params.N) {
    for (var b = 0u; b < params.nb; b++) {
      let base = params.c_offset + b * params.stride_c + n;
      for (var m = lid.y; m < params.M; m += BB_LANES) { s += dout[base + m * params.N]; }
    }
  }
  bb_part[lid.y * BB_COLS + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && n < params.N) {
    var t = 0.0;
    for (var l = 0u; l < BB_LANES; l++) { t += bb_part[l * BB_COLS + lid.x]; }
    dbias[n] = select(t, dbias[n] + t, params.accumulate == 1u);
  }
}
