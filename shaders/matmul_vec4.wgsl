// Register-blocked matmul variants with vec4 accumulators: the same operation and Params as matmul.wgsl
// (out_b = act(op(A_b) @ op(B_b) + bias), transposes, offsets, batch strides, reduce_batch, accumulate).
//
//   matmul_forward_vec4        64x64 tile per 256-thread workgroup, K step 16, 4x4 outputs per thread
//   matmul_forward_vec4_large  128x64 tile per 256-thread workgroup, K step 16, 8x4 outputs per thread
// plus `_preact` twins. Why a second family next to the tiled kernels: the accumulators are named vec4
// variables and the inner product is written out, so no private array is indexed at run time. Compilers
// that do not unroll loops (SwiftShader's) keep such arrays in memory and pay a load and a store per fma;
// GPU compilers unroll either way, and the vec4 layout halves the workgroup-memory reads per fma there.
// A thread owns a contiguous 4-column group (n0 + 4 tx .. + 3) of its rows, read from workgroup memory as
// one vec4; the staged slices are k-major [BK, B?/4] arrays of vec4.

#include "matmul_common.wgsl"

const V_BK: u32 = 16u;
const V_THREADS: u32 = 256u;
const V_BN: u32 = 64u;   // output columns per workgroup, in both tiles
const V_COLS: u32 = V_BN / 4u; // threads across N, 4 columns each

// ---- vec4: 64x64 -------------------------------------------------------------------------------

const V4_BM: u32 = 64u;

var<workgroup> v4_a: array<vec4<f32>, 256>; // [BK, BM / 4]: rows 4q..4q+3 of column k
var<workgroup> v4_b: array<vec4<f32>, 256>; // [BK, BN / 4]
// The finished sums of a thread: row group i holds rows 4 ty + i % 4 + 64 (i / 4), columns 4 tx .. 4 tx + 3.
var<private> v_acc: array<vec4<f32>, 8>;

// One staged vec4 and its slot in a k-major [BK, rows / 4] slice.
struct Staged {
  slot: u32,
  value: vec4<f32>,
}

// Element e of op(A)'s [rows, BK] slice as 4 rows at one k (rows_q = rows / 4), and of op(B)'s [BK, 64]
// slice as 4 columns at one k. Consecutive e walk the stored layout's contiguous axis (k when A is
// [M, K] or B is [N, K], rows or columns otherwise), so global reads coalesce for every transpose.
fn v_stage_a(b: u32, m0: u32, k0: u32, e: u32, rows_q: u32) -> Staged {
  var q = e / V_BK;
  var kk = e % V_BK;
  if (params.trans_a == 1u) { q = e % rows_q; kk = e / rows_q; }
  let m = m0 + 4u * q;
  let k = k0 + kk;
  let v = vec4<f32>(load_a(b, m, k), load_a(b, m + 1u, k), load_a(b, m + 2u, k), load_a(b, m + 3u, k));
  return Staged(kk * rows_q + q, v);
}

fn v_stage_b(b: u32, n0: u32, k0: u32, e: u32) -> Staged {
  var q = e % V_COLS;
  var kk = e / V_COLS;
  if (params.trans_b == 1u) { q = e / V_BK; kk = e % V_BK; }
  let n = n0 + 4u * q;
  let k = k0 + kk;
  let v = vec4<f32>(load_b(b, k, n), load_b(b, k, n + 1u), load_b(b, k, n + 2u), load_b(b, k, n + 3u));
  return Staged(kk * V_COLS + q, v);
}

fn v4_mainloop(wid: vec3<u32>, lid: u32) {
  let m0 = wid.y * V4_BM;
  let n0 = wid.x * V_BN;
  let tx = lid % V_COLS;
  let ty = lid / V_COLS;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var bi = 0u; bi < batch_count(); bi++) {
    let b = batch_of(wid.z, bi);
    for (var k0 = 0u; k0 < params.K; k0 += V_BK) {
      let sa = v_stage_a(b, m0, k0, lid, V4_BM / 4u);
      v4_a[sa.slot] = sa.value;
      let sb = v_stage_b(b, n0, k0, lid);
      v4_b[sb.slot] = sb.value;
      workgroupBarrier();
      for (var kk = 0u; kk < V_BK; kk++) {
        let a = v4_a[kk * (V4_BM / 4u) + ty];
        let w = v4_b[kk * V_COLS + tx];
        c0 = fma(vec4<f32>(a.x), w, c0);
        c1 = fma(vec4<f32>(a.y), w, c1);
        c2 = fma(vec4<f32>(a.z), w, c2);
        c3 = fma(vec4<f32>(a.w), w, c3);
      }
      workgroupBarrier();
    }
  }
  v_acc[0] = c0;
  v_acc[1] = c1;
  v_acc[2] = c2;
  v_acc[3] = c3;
}

@compute @workgroup_size(V_THREADS)
fn matmul_forward_vec4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  v4_mainloop(wid, lid);
  v_store(wid, lid, V4_BM, 4u);
}

@compute @workgroup_size(V_THREADS)
fn matmul_forward_vec4_preact(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  v4_mainloop(wid, lid);
  v_store_preact(wid, lid, V4_BM, 4u);
}

// The epilogue of both tiles: `groups` row groups of v_acc (see there) for a tile of `bm` rows.
fn v_store(wid: vec3<u32>, lid: u32, bm: u32, groups: u32) {
  for (var i = 0u; i < groups; i++) {
    let m = wid.y * bm + 4u * (lid / V_COLS) + i % 4u + 64u * (i / 4u);
    let row = v_acc[i];
    for (var j = 0u; j < 4u; j++) {
      let n = wid.x * V_BN + 4u * (lid % V_COLS) + j;
      if (m < params.M && n < params.N) {
        let r = finish(row[j], n);
        write_out(c_index(wid.z, m, n), r.y);
      }
    }
  }
}

// v_store that also keeps the pre-activation (a separate function: it binds `preact`).
fn v_store_preact(wid: vec3<u32>, lid: u32, bm: u32, groups: u32) {
  for (var i = 0u; i < groups; i++) {
    let m = wid.y * bm + 4u * (lid / V_COLS) + i % 4u + 64u * (i / 4u);
    let row = v_acc[i];
    for (var j = 0u; j < 4u; j++) {
      let n = wid.x * V_BN + 4u * (lid % V_COLS) + j;
      if (m < params.M && n < params.N) {
        let r = finish(row[j], n);
        let idx = c_index(wid.z, m, n);
        preact[idx] = r.x;
        write_out(idx, r.y);
      }
    }
  }
}

// ---- vec4_large: 128x64, 8 rows x 4 columns per thread ------------------------------------------
// Twice the fmas per staged B vec4 and per barrier of the 64x64 variant, for shapes with enough rows.

const V8_BM: u32 = 128u;

var<workgroup> v8_a: array<vec4<f32>, 512>; // [BK, BM / 4]
var<workgroup> v8_b: array<vec4<f32>, 256>; // [BK, BN / 4]

fn v8_mainloop(wid: vec3<u32>, lid: u32) {
  let m0 = wid.y * V8_BM;
  let n0 = wid.x * V_BN;
  let tx = lid % V_COLS;
  let ty = lid / V_COLS; // owns rows 4 ty .. 4 ty + 3 and 64 + 4 ty .. 64 + 4 ty + 3
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var c4 = vec4<f32>(0.0);
  var c5 = vec4<f32>(0.0);
  var c6 = vec4<f32>(0.0);
  var c7 = vec4<f32>(0.0);
  for (var bi = 0u; bi < batch_count(); bi++) {
    let b = batch_of(wid.z, bi);
    for (var k0 = 0u; k0 < params.K; k0 += V_BK) {
      let sa0 = v_stage_a(b, m0, k0, lid, V8_BM / 4u);
      v8_a[sa0.slot] = sa0.value;
      let sa1 = v_stage_a(b, m0, k0, lid + V_THREADS, V8_BM / 4u);
      v8_a[sa1.slot] = sa1.value;
      let sb = v_stage_b(b, n0, k0, lid);
      v8_b[sb.slot] = sb.value;
      workgroupBarrier();
      for (var kk = 0u; kk < V_BK; kk++) {
        let a = v8_a[kk * (V8_BM / 4u) + ty];
        let a2 = v8_a[kk * (V8_BM / 4u) + 16u + ty];
        let w = v8_b[kk * V_COLS + tx];
        c0 = fma(vec4<f32>(a.x), w, c0);
        c1 = fma(vec4<f32>(a.y), w, c1);
        c2 = fma(vec4<f32>(a.z), w, c2);
        c3 = fma(vec4<f32>(a.w), w, c3);
        c4 = fma(vec4<f32>(a2.x), w, c4);
        c5 = fma(vec4<f32>(a2.y), w, c5);
        c6 = fma(vec4<f32>(a2.z), w, c6);
        c7 = fma(vec4<f32>(a2.w), w, c7);
      }
      workgroupBarrier();
    }
  }
  v_acc[0] = c0;
  v_acc[1] = c1;
  v_acc[2] = c2;
  v_acc[3] = c3;
  v_acc[4] = c4;
  v_acc[5] = c5;
  v_acc[6] = c6;
  v_acc[7] = c7;
}

@compute @workgroup_size(V_THREADS)
fn matmul_forward_vec4_large(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  v8_mainloop(wid, lid);
  v_store(wid, lid, V8_BM, 8u);
}

@compute @workgroup_size(V_THREADS)
fn matmul_forward_vec4_large_preact(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  v8_mainloop(wid, lid);
  v_store_preact(wid, lid, V8_BM, 8u);
}
