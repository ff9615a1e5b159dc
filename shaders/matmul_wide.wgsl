// The 128x128 register-blocked matmul variant, for big GPUs: the same operation and Params as matmul.wgsl
// (out_b = act(op(A_b) @ op(B_b) + bias), transposes, offsets, batch strides, reduce_batch, accumulate).
//
//   matmul_forward_vec4_wide   128x128 tile per 256-thread workgroup, K step 16, 8x8 outputs per thread
// plus its `_preact` twin. Why: per K step a thread reads 4 vec4 from workgroup memory for 64 fmas (the
// 128x64 tile reads 3 for 32), and each staged element serves twice as many outputs, which is what keeps
// a GPU with fast fma units fed. Double-buffered: while a K step is computed from one pair of tiles, each
// thread already has the next step's loads in flight and stores them into the other pair afterwards, so
// there is one barrier per K step instead of two, and global loads overlap the fmas.
//
// Workgroup memory: 2 buffers x 2 operands x 16 x 32 vec4 = 32 KiB, twice WebGPU's default 16 KiB: the
// variant exists only on devices opened with a larger maxComputeWorkgroupStorageSize (src/gpu/device.ts
// asks for it when the adapter offers it; the tuner and Program.compile check it).
//
// Same fma chain per output as every other variant (k in order from 0, zero padding past K), so the
// results are bit-identical to theirs. A thread owns rows 4 ty + r % 4 + 64 (r / 4) (r < 8) and columns
// 4 tx + 64 j + e (j < 2, e < 4): strided halves, so the vec4 reads of a k row and the global writes of
// a row are consecutive across tx (and across ty for the A tile).

#include "matmul_common.wgsl"

const W_BM: u32 = 128u;
const W_BN: u32 = 128u;
const W_BK: u32 = 16u;
const W_THREADS: u32 = 256u;
const W_Q: u32 = 32u;                  // vec4 groups across a tile side: BM / 4 = BN / 4
const W_HALF: u32 = 16u;               // threads across a side; a thread's second group is 64 rows or columns on
const W_BUF: u32 = 512u;               // vec4s of one buffered operand tile (BK * W_Q): 2 staged per thread

var<workgroup> w_a: array<vec4<f32>, 2u * W_BUF>; // [2 buffers][BK][BM / 4]: rows 4q .. 4q + 3 at one k
var<workgroup> w_b: array<vec4<f32>, 2u * W_BUF>; // [2 buffers][BK][BN / 4]: columns 4q .. 4q + 3 at one k
// The finished sums of a thread: entry 2 r + j holds row group r, column group j (see the header).
var<private> w_acc: array<vec4<f32>, 16>;

// Element e of a K step's staged slices, as (q, kk): op(A)'s [128, BK] slice holds 4 rows 4q .. 4q + 3 at
// one k per vec4, op(B)'s [BK, 128] slice 4 columns. Consecutive e walk the stored layout's contiguous
// axis, so global reads coalesce for every transpose. It depends on e alone: a thread computes it once.
fn w_slot_a(e: u32) -> vec2<u32> {
  if (params.trans_a == 1u) { return vec2<u32>(e % W_Q, e / W_Q); }
  return vec2<u32>(e / W_BK, e % W_BK);
}

fn w_slot_b(e: u32) -> vec2<u32> {
  if (params.trans_b == 1u) { return vec2<u32>(e / W_BK, e % W_BK); }
  return vec2<u32>(e % W_Q, e / W_Q);
}

fn w_load_a(b: u32, m0: u32, k0: u32, qk: vec2<u32>) -> vec4<f32> {
  let m = m0 + 4u * qk.x;
  let k = k0 + qk.y;
  return vec4<f32>(load_a(b, m, k), load_a(b, m + 1u, k), load_a(b, m + 2u, k), load_a(b, m + 3u, k));
}

fn w_load_b(b: u32, n0: u32, k0: u32, qk: vec2<u32>) -> vec4<f32> {
  let n = n0 + 4u * qk.x;
  let k = k0 + qk.y;
  return vec4<f32>(load_b(b, k, n), load_b(b, k, n + 1u), load_b(b, k, n + 2u), load_b(b, k, n + 3u));
}

fn w_mainloop(wid: vec3<u32>, lid: u32) {
  let m0 = wid.y * W_BM;
  let n0 = wid.x * W_BN;
  let tx = lid % W_HALF;
  let ty = lid / W_HALF;
  let qa0 = w_slot_a(lid);
  let qa1 = w_slot_a(lid + W_THREADS);
  let qb0 = w_slot_b(lid);
  let qb1 = w_slot_b(lid + W_THREADS);
  let slot_a0 = qa0.y * W_Q + qa0.x;
  let slot_a1 = qa1.y * W_Q + qa1.x;
  let slot_b0 = qb0.y * W_Q + qb0.x;
  let slot_b1 = qb1.y * W_Q + qb1.x;
  var c00 = vec4<f32>(0.0);
  var c01 = vec4<f32>(0.0);
  var c10 = vec4<f32>(0.0);
  var c11 = vec4<f32>(0.0);
  var c20 = vec4<f32>(0.0);
  var c21 = vec4<f32>(0.0);
  var c30 = vec4<f32>(0.0);
  var c31 = vec4<f32>(0.0);
  var c40 = vec4<f32>(0.0);
  var c41 = vec4<f32>(0.0);
  var c50 = vec4<f32>(0.0);
  var c51 = vec4<f32>(0.0);
  var c60 = vec4<f32>(0.0);
  var c61 = vec4<f32>(0.0);
  var c70 = vec4<f32>(0.0);
  var c71 = vec4<f32>(0.0);
  let steps = (params.K + W_BK - 1u) / W_BK;
  for (var bi = 0u; bi < batch_count(); bi++) {
    let b = batch_of(wid.z, bi);
    // Iteration s loads K step s into registers, computes step s - 1 from the buffer the previous
    // iteration filled, then stores step s into the other buffer: the loads are in flight during the fmas.
    // One load site for all steps (no separate prologue) keeps the code small: SwiftShader's compiler
    // took minutes on a version with two. Past K the loads are zeros, stored and never read.
    for (var s = 0u; s <= steps; s++) {
      let k0 = s * W_BK;
      let na0 = w_load_a(b, m0, k0, qa0);
      let na1 = w_load_a(b, m0, k0, qa1);
      let nb0 = w_load_b(b, n0, k0, qb0);
      let nb1 = w_load_b(b, n0, k0, qb1);
      let cur = (s % 2u) * W_BUF; // step s's buffer; step s - 1 is in the other one
      if (s > 0u) {
        for (var kk = 0u; kk < W_BK; kk++) {
          let row = W_BUF - cur + kk * W_Q;
          let a0 = w_a[row + ty];
          let a1 = w_a[row + W_HALF + ty];
          let b0 = w_b[row + tx];
          let b1 = w_b[row + W_HALF + tx];
          c00 = fma(vec4<f32>(a0.x), b0, c00);
          c01 = fma(vec4<f32>(a0.x), b1, c01);
          c10 = fma(vec4<f32>(a0.y), b0, c10);
          c11 = fma(vec4<f32>(a0.y), b1, c11);
          c20 = fma(vec4<f32>(a0.z), b0, c20);
          c21 = fma(vec4<f32>(a0.z), b1, c21);
          c30 = fma(vec4<f32>(a0.w), b0, c30);
          c31 = fma(vec4<f32>(a0.w), b1, c31);
          c40 = fma(vec4<f32>(a1.x), b0, c40);
          c41 = fma(vec4<f32>(a1.x), b1, c41);
          c50 = fma(vec4<f32>(a1.y), b0, c50);
          c51 = fma(vec4<f32>(a1.y), b1, c51);
          c60 = fma(vec4<f32>(a1.z), b0, c60);
          c61 = fma(vec4<f32>(a1.z), b1, c61);
          c70 = fma(vec4<f32>(a1.w), b0, c70);
          c71 = fma(vec4<f32>(a1.w), b1, c71);
        }
      }
      // Step s's buffer was last read by iteration s - 1's fmas, which the barrier below (of iteration
      // s - 1) separates from these stores; the barrier here makes them visible to iteration s + 1.
      w_a[cur + slot_a0] = na0;
      w_a[cur + slot_a1] = na1;
      w_b[cur + slot_b0] = nb0;
      w_b[cur + slot_b1] = nb1;
      workgroupBarrier();
    }
  }
  w_acc[0] = c00;
  w_acc[1] = c01;
  w_acc[2] = c10;
  w_acc[3] = c11;
  w_acc[4] = c20;
  w_acc[5] = c21;
  w_acc[6] = c30;
  w_acc[7] = c31;
  w_acc[8] = c40;
  w_acc[9] = c41;
  w_acc[10] = c50;
  w_acc[11] = c51;
  w_acc[12] = c60;
  w_acc[13] = c61;
  w_acc[14] = c70;
  w_acc[15] = c71;
}

/** Output (m, n) of accumulator entry i, element e, for thread lid of workgroup wid. */
fn w_coords(wid: vec3<u32>, lid: u32, i: u32, e: u32) -> vec2<u32> {
  let r = i / 2u;
  let m = wid.y * W_BM + 4u * (lid / W_HALF) + r % 4u + 64u * (r / 4u);
  let n = wid.x * W_BN + 4u * (lid % W_HALF) + 64u * (i % 2u) + e;
  return vec2<u32>(m, n);
}

@compute @workgroup_size(W_THREADS)
fn matmul_forward_vec4_wide(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  w_mainloop(wid, lid);
  for (var i = 0u; i < 16u; i++) {
    let sums = w_acc[i];
    for (var e = 0u; e < 4u; e++) {
      let mn = w_coords(wid, lid, i, e);
      if (mn.x < params.M && mn.y < params.N) {
        let r = finish(sums[e], mn.y);
        write_out(c_index(wid.z, mn.x, mn.y), r.y);
      }
    }
  }
}

@compute @workgroup_size(W_THREADS)
fn matmul_forward_vec4_wide_preact(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  w_mainloop(wid, lid);
  for (var i = 0u; i < 16u; i++) {
    let sums = w_acc[i];
    for (var e = 0u; e < 4u; e++) {
      let mn = w_coords(wid, lid, i, e);
      if (mn.x < params.M && mn.y < params.N) {
        let r = finish(sums[e], mn.y);
        let idx = c_index(wid.z, mn.x, mn.y);
        preact[idx] = r.x;
        write_out(idx, r.y);
      }
    }
  }
}
