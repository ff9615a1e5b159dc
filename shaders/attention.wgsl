// Fused causal self-attention, as Hugging Face's OpenAIGPT `Attention` (GPT-1):
//   w = q k^T / sqrt(hs); causal mask (key j > query i) filled with -1e4; softmax; dropout on the
//   probabilities; out = P v with the heads merged back into [B, T, C].
// Flash-attention style (online softmax): the B*NH*T*T probabilities are never stored. The forward saves
// each row's max and sum; the backward recomputes P from q, k and them, and the dropout mask from the hash.
//
// Layouts: inp = qkv [B, T, 3C] from c_attn (q | k | v on the last dim, head h at h*hs within each third);
// out [B, T, C]; stats [B, NH, T, 2] = (row max of the scaled scores, sum of exp(score - max)).
// Dropout index of probability (b, h, i, j): ((b*NH + h)*T + i)*T + j (u32, as src/ops/attention.ts). The
// step seed is read from the graph's 1-element u32 seed tensor, shared with every dropout site (see
// src/ops/dropout.ts), so the params stay static.
//
// Masking by skipping: HF writes exactly -1e4 into masked scores and takes a softmax over the whole row.
// Every causal row has its diagonal key unmasked, so the row max m is at least that score, and for any
// score range a model can have (|w| far below 9,896) exp(-1e4 - m) < 2^-150, which rounds to exactly 0
// in f32. Masked positions thus add exactly 0 to HF's sum and to P v; here they get weight 0.
//
// Shape of the code. Four threads (lanes) share an owned row; lane l owns head dims l + 4t + 16m (t < 4) as
// vec4 accumulator m (m < ceil(hs / 16)). Scores are sums over groups g of 4 dims (4g .. 4g+3, zero-padded
// past hs, so any hs <= HS_MAX works) of dot(q_g, k_g): the same expression in forward and both backward
// roles. Workgroup tiles are plain f32 arrays read either at one address by the 4 lanes of a row or at
// consecutive floats across them (dim-major "transposed" tiles; value rows at dims lane + 4t), which is
// conflict-free on GPUs. On SwiftShader, array<vec4<f32>> tiles measured no faster than these (a load at a
// run-time index is a per-lane gather either way), and both sides of every branch run (masked), so work is
// bounded by loop trip counts (hs / 4, hs / 16), never by `if`s.

#include "random.wgsl"

struct Params {
  B: u32,
  T: u32,
  C: u32,          // model width; head size hs = C / NH (at most HS_MAX)
  NH: u32,
  b_index: u32,    // attention_probs: the example whose probabilities are written
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
  stream: u32,     // dropout: this layer's random stream
  dropout_p: f32,  // attention dropout probability; 0 is the exact identity
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;                // qkv [B, T, 3C]
@group(0) @binding(1) var<storage, read_write> out: array<f32>;          // [B, T, C]
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;        // [B, NH, T, 2]
@group(0) @binding(3) var<storage, read> saved_out: array<f32>;          // forward's out [B, T, C]
@group(0) @binding(4) var<storage, read> saved_stats: array<f32>;        // forward's stats [B, NH, T, 2]
@group(0) @binding(5) var<storage, read> dout: array<f32>;               // [B, T, C]
@group(0) @binding(6) var<storage, read_write> dinp: array<f32>;         // dqkv [B, T, 3C]
@group(0) @binding(7) var<storage, read_write> att: array<f32>;          // attention_probs: [NH, T, T]
@group(0) @binding(8) var<storage, read> step_seed: array<u32>;          // [1] this step's dropout seed
@group(0) @binding(9) var<uniform> params: Params;

// Query rows (forward, dq) or keys (dk/dv) owned by a workgroup, 4 lanes each: an override, so a pipeline
// may own 32 or 64 rows per workgroup (src/ops/attention.ts). Each row's arithmetic is the same whatever
// the block (the same 16-key tiles in the same order, the same streamed 8-row tiles; the extra tiles a
// bigger block walks for its early rows are fully masked and add exact zeros), so every block gives the
// same bits; a bigger one loads each K/V tile once for more rows. attention_probs keeps the default.
override BLOCK: u32 = 16u;
override WG: u32 = BLOCK * LANES;
const HS_MAX: u32 = 64u;
// Row strides in workgroup memory, one more than the row length so that threads reading the same dim of
// different rows (or the same row of different dims) hit different banks on GPUs.
const STRIDE: u32 = 65u;       // float rows: HS_MAX + 1
const KEY_TS: u32 = 17u;       // the dim-major key tile of FWD_KEYS keys: FWD_KEYS + 1
override OWN_TS: u32 = BLOCK + 1u; // dim-major tiles of the BLOCK owned rows
const LANES: u32 = 4u;
const FWD_KEYS: u32 = 16u; // keys per forward K/V tile (lane l scores keys l, l + 4, l + 8, l + 12)
const SUB: u32 = 8u;       // backward: rows of the streamed tile (query rows for dk/dv, keys for dq)
const NEG_BIG: f32 = -3.0e38;

#include "reduce.wgsl"

// Forward workgroup memory: (65 BLOCK + 1088 + 1040 + 36 BLOCK) floats = 14,976 bytes at BLOCK 16 (the
// default 16 KiB holds it), 21,440 at 32, 34,368 at 64.
var<workgroup> fq: array<f32, BLOCK * STRIDE>;     // [BLOCK][STRIDE] queries of this block
var<workgroup> fkt: array<f32, HS_MAX * KEY_TS>;   // [HS_MAX][KEY_TS] key tile, dim-major
var<workgroup> fv: array<f32, FWD_KEYS * STRIDE>;  // [FWD_KEYS][STRIDE] value tile
var<workgroup> fs: array<f32, BLOCK * FWD_KEYS>;   // [BLOCK][FWD_KEYS] scaled scores (masked: NEG_BIG)
var<workgroup> fe: array<f32, BLOCK * FWD_KEYS>;   // [BLOCK][FWD_KEYS] exp(s - m) * dropout multiplier
var<workgroup> fsum: array<f32, BLOCK * LANES>;    // [BLOCK][LANES]: each lane's sum of its 4 exp(s - m)

// Backward workgroup memory: (2 * 64 (BLOCK + 1) + 2 * 520 + 2 * 8 BLOCK + 6 BLOCK) floats = 14,272 bytes at
// BLOCK 16, 23,872 at 32, 43,072 at 64.
var<workgroup> own_a: array<f32, HS_MAX * OWN_TS>;   // [HS_MAX][OWN_TS] dk/dv role: K of the owned keys;  dq role: Q of the owned rows
var<workgroup> own_b: array<f32, HS_MAX * OWN_TS>;   // [HS_MAX][OWN_TS] dk/dv role: V;                    dq role: dout
var<workgroup> sub_a: array<f32, SUB * STRIDE>;      // [SUB][STRIDE] dk/dv role: Q of streamed rows;  dq role: K of streamed keys
var<workgroup> sub_b: array<f32, SUB * STRIDE>;      // [SUB][STRIDE] dk/dv role: dout;                 dq role: V
var<workgroup> pair_pz: array<f32, SUB * BLOCK>;     // dk/dv role: P * dropout, [SUB query rows][BLOCK keys]
var<workgroup> pair_ds: array<f32, SUB * BLOCK>;     // dS = P (dP - D): dk/dv role [SUB rows][BLOCK keys]; dq role [SUB keys][BLOCK rows]
var<workgroup> row_m: array<f32, BLOCK>;             // per query row of the tile (SUB or BLOCK of them): saved max,
var<workgroup> row_l: array<f32, BLOCK>;             //   saved sum,
var<workgroup> row_part: array<f32, BLOCK * LANES>;  //   [row][4] partial sums of D = dout . out

fn head_size() -> u32 {
  return params.C / params.NH;
}

/** vec4 groups per head row: ceil(hs / 4). */
fn head_vecs() -> u32 {
  return (head_size() + 3u) / 4u;
}

/** vec4 accumulators per lane: ceil(hs / 16). */
fn lane_vecs() -> u32 {
  return (head_size() + 15u) / 16u;
}

fn scale() -> f32 {
  return 1.0 / sqrt(f32(head_size()));
}

/** Element d of head h of part (0 q, 1 k, 2 v) at (b, t) in qkv [B, T, 3C]. */
fn qkv_index(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  return (b * params.T + t) * 3u * params.C + part * params.C + h * head_size() + d;
}

/** Element d of head h at (b, t) in [B, T, C]. */
fn merged_index(b: u32, t: u32, h: u32, d: u32) -> u32 {
  return (b * params.T + t) * params.C + h * head_size() + d;
}

fn stats_index(b: u32, h: u32, i: u32) -> u32 {
  return ((b * params.NH + h) * params.T + i) * 2u;
}

/** The part of random_u32's hash that depends on seed and stream only (computed once per thread). */
fn dropout_key() -> u32 {
  return lowbias32(params.stream + lowbias32(step_seed[0]));
}

/** dropout_scale of random.wgsl for the dropout index of (b, h, i, j), bit for bit, with `key` hoisted. */
fn attn_dropout(b: u32, h: u32, i: u32, j: u32, key: u32) -> f32 {
  let p = params.dropout_p;
  let index = ((b * params.NH + h) * params.T + i) * params.T + j;
  let u = f32(lowbias32(index + key) >> 8u) * (1.0 / 16777216.0);
  return select(select(0.0, 1.0 / (1.0 - p), u >= p), 1.0, p <= 0.0);
}

// ---------------------------------------------------------------------------------------------------
// Forward. Workgroup (query block, h, b): BLOCK query rows, 4 lanes per row. K/V tiles of 16 keys stream
// through workgroup memory up to the block's last row (causal); each row keeps a running max m, sum l and
// an accumulator of exp(s - m) * dropout * v that is rescaled whenever m grows. Per tile, lane l scores
// keys l, l + 4, l + 8, l + 12 of its row, takes their exp against the row's new max, then accumulates
// all 16 keys into its own dims.

/** Key c's dims 4g .. 4g+3 from the dim-major key tile. */
fn fk_col(g: u32, c: u32) -> vec4<f32> {
  let base = 4u * g * KEY_TS + c;
  return vec4<f32>(fkt[base], fkt[base + KEY_TS], fkt[base + 2u * KEY_TS], fkt[base + 3u * KEY_TS]);
}

/** Dims lane + 16m + 4t (t = 0..3) of value row c, at base = c * STRIDE + 16m + lane. */
fn fv_lanes(base: u32) -> vec4<f32> {
  return vec4<f32>(fv[base], fv[base + 4u], fv[base + 8u], fv[base + 12u]);
}

/** acc + sum over keys c0 .. c0+3 (ascending) of w[key] * value row key at the lane's dims (base: c0's). */
fn fwd_acc(w: vec4<f32>, base: u32, acc: vec4<f32>) -> vec4<f32> {
  var a = fma(vec4<f32>(w.x), fv_lanes(base), acc);
  a = fma(vec4<f32>(w.y), fv_lanes(base + STRIDE), a);
  a = fma(vec4<f32>(w.z), fv_lanes(base + 2u * STRIDE), a);
  return fma(vec4<f32>(w.w), fv_lanes(base + 3u * STRIDE), a);
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let T = params.T;
  let hs = head_size();
  let hs4 = head_vecs();
  let hsp = 4u * hs4; // dims padded to whole vec4 groups
  let sc = scale();
  let h = wid.y;
  let b = wid.z;
  let q0 = wid.x * BLOCK;
  let key = dropout_key();

  for (var idx = tid; idx < BLOCK * hsp; idx += WG) {
    let r = idx / hsp;
    let d = idx % hsp;
    // Rows past T are loaded (clamped) but never written out.
    fq[r * STRIDE + d] = select(0.0, inp[qkv_index(b, min(q0 + r, T - 1u), 0u, h, min(d, hs - 1u))], d < hs);
  }

  let r = tid / LANES;
  let lane = tid % LANES;
  let i = q0 + r;
  let nacc = lane_vecs();
  var m = NEG_BIG;
  var l = 0.0;
  // Indexed only by the loop counter mm below, the same in all lanes.
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));

  let key_end = min(q0 + BLOCK, T); // keys past the block's last row are masked for all its rows
  for (var j0 = 0u; j0 < key_end; j0 += FWD_KEYS) {
    workgroupBarrier(); // the previous tile is consumed (and the queries are loaded, the first time)
    for (var idx = tid; idx < FWD_KEYS * hsp; idx += WG) {
      let c = idx / hsp;
      let d = idx % hsp;
      let j = min(j0 + c, T - 1u); // keys past T are loaded but never used: every use checks j <= i < T
      let dd = min(d, hs - 1u);
      fkt[d * KEY_TS + c] = select(0.0, inp[qkv_index(b, j, 1u, h, dd)], d < hs);
      fv[c * STRIDE + d] = select(0.0, inp[qkv_index(b, j, 2u, h, dd)], d < hs);
    }
    workgroupBarrier();

    // Scores of row r against keys j0 + lane + 4u, u = 0..3.
    var s = vec4<f32>(0.0);
    for (var g = 0u; g < hs4; g++) {
      let qb = r * STRIDE + 4u * g;
      let q = vec4<f32>(fq[qb], fq[qb + 1u], fq[qb + 2u], fq[qb + 3u]);
      s += vec4<f32>(
        dot(q, fk_col(g, lane)),
        dot(q, fk_col(g, lane + 4u)),
        dot(q, fk_col(g, lane + 8u)),
        dot(q, fk_col(g, lane + 12u)),
      );
    }
    let jl = j0 + lane;
    let valid = vec4<u32>(jl, jl + 4u, jl + 8u, jl + 12u) <= vec4<u32>(i);
    let own = select(vec4<f32>(NEG_BIG), s * sc, valid);
    let rk = r * FWD_KEYS;
    fs[rk + lane] = own.x;
    fs[rk + lane + 4u] = own.y;
    fs[rk + lane + 8u] = own.z;
    fs[rk + lane + 12u] = own.w;
    workgroupBarrier();

    // Online softmax update of row r: its 4 lanes compute the same max, then each its own 4 exps.
    var tile_max = own;
    for (var c = 0u; c < FWD_KEYS; c += 4u) {
      tile_max = max(tile_max, vec4<f32>(fs[rk + c], fs[rk + c + 1u], fs[rk + c + 2u], fs[rk + c + 3u]));
    }
    let m_new = max(m, max(max(tile_max.x, tile_max.y), max(tile_max.z, tile_max.w)));
    let alpha = exp(m - m_new); // 0 on the first tile (m = NEG_BIG), 1 when the max did not grow
    let e = select(vec4<f32>(0.0), exp(own - vec4<f32>(m_new)), valid);
    let ez = e * vec4<f32>(
      attn_dropout(b, h, i, jl, key),
      attn_dropout(b, h, i, jl + 4u, key),
      attn_dropout(b, h, i, jl + 8u, key),
      attn_dropout(b, h, i, jl + 12u, key),
    );
    fe[rk + lane] = ez.x;
    fe[rk + lane + 4u] = ez.y;
    fe[rk + lane + 8u] = ez.z;
    fe[rk + lane + 12u] = ez.w;
    fsum[r * 4u + lane] = (e.x + e.y) + (e.z + e.w);
    m = m_new;
    workgroupBarrier();

    l = l * alpha + ((fsum[r * 4u] + fsum[r * 4u + 1u]) + (fsum[r * 4u + 2u] + fsum[r * 4u + 3u]));
    let w0 = vec4<f32>(fe[rk], fe[rk + 1u], fe[rk + 2u], fe[rk + 3u]);
    let w1 = vec4<f32>(fe[rk + 4u], fe[rk + 5u], fe[rk + 6u], fe[rk + 7u]);
    let w2 = vec4<f32>(fe[rk + 8u], fe[rk + 9u], fe[rk + 10u], fe[rk + 11u]);
    let w3 = vec4<f32>(fe[rk + 12u], fe[rk + 13u], fe[rk + 14u], fe[rk + 15u]);
    for (var mm = 0u; mm < nacc; mm++) {
      let base = 16u * mm + lane;
      var a = acc[mm] * alpha;
      a = fwd_acc(w0, base, a);
      a = fwd_acc(w1, base + 4u * STRIDE, a);
      a = fwd_acc(w2, base + 8u * STRIDE, a);
      a = fwd_acc(w3, base + 12u * STRIDE, a);
      acc[mm] = a;
    }
  }

  if (i < T) {
    // l >= 1: the row's max term contributes exp(0).
    for (var mm = 0u; mm < nacc; mm++) {
      let a = acc[mm] / l;
      let d = 16u * mm + lane;
      let o = merged_index(b, i, h, d);
      if (d < hs) { out[o] = a.x; }
      if (d + 4u < hs) { out[o + 4u] = a.y; }
      if (d + 8u < hs) { out[o + 8u] = a.z; }
      if (d + 12u < hs) { out[o + 12u] = a.w; }
    }
    if (lane == 0u) {
      stats[stats_index(b, h, i)] = m;
      stats[stats_index(b, h, i) + 1u] = l;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward (FlashAttention-2, without atomics). With z the dropout multipliers, P recomputed as
// exp(s - m) / l, dP_ij = z_ij (dout_i . v_j) and D_i = sum_j P_ij dP_ij = dout_i . out_i:
//   dS_ij = P_ij (dP_ij - D_i);  dq_i = scale sum_j dS_ij k_j;  dk_j = scale sum_i dS_ij q_i;
//   dv_j = sum_i P_ij z_ij dout_i.
// One dispatch, two kinds of workgroup (x < nblocks: dk/dv role, else dq role), so that every gradient
// element has exactly one owning thread: a dk/dv workgroup owns BLOCK keys and loops over the query rows
// i >= its first key; a dq workgroup owns BLOCK query rows and loops over the keys j <= its last row.
// The owned rows sit dim-major (own_*), the streamed ones as vec4 rows (sub_*). Pair phase: thread t takes
// owned row or key t % BLOCK against streamed rows t / BLOCK and t / BLOCK + 4 (WG = 4 BLOCK threads
// cover the SUB = 8 streamed rows) (s = sum_g dot(q_g, k_g) and
// dout . v in both roles, so with the same bits). Accumulation: lane l of owned row t / 4 adds the 8
// streamed rows at its dims.

/** Part p (0..3) of D_i = dout_i . out_i: dims p, p + 4, ... in order; D = (p0 + p1) + (p2 + p3). */
fn delta_part(b: u32, h: u32, i: u32, p: u32) -> f32 {
  var sum = 0.0;
  for (var d = p; d < head_size(); d += 4u) {
    sum += dout[merged_index(b, i, h, d)] * saved_out[merged_index(b, i, h, d)];
  }
  return sum;
}

/** Loads the saved statistics (thread < rows) and the D parts (thread < 4 rows) of rows i0 .. i0 + rows - 1. */
fn load_rows(b: u32, h: u32, i0: u32, rows: u32, tid: u32) {
  let T = params.T;
  if (tid < rows) {
    let i = min(i0 + tid, T - 1u);
    // Rows past T get harmless values (their pairs are invalid).
    row_m[tid] = select(0.0, saved_stats[stats_index(b, h, i)], i0 + tid < T);
    row_l[tid] = select(1.0, saved_stats[stats_index(b, h, i) + 1u], i0 + tid < T);
  }
  if (tid < 4u * rows) {
    let i = i0 + tid / 4u;
    row_part[tid] = select(0.0, delta_part(b, h, min(i, T - 1u), tid % 4u), i < T);
  }
}

/** (P z, dS) of query row i (tile slot r) and key j from the scaled score s and dpz = dout_i . v_j. */
fn pair_grad(b: u32, h: u32, i: u32, j: u32, r: u32, s: f32, dpz: f32, key: u32) -> vec2<f32> {
  let valid = j <= i && i < params.T;
  let p = select(0.0, exp(s - row_m[r]) / row_l[r], valid);
  let z = attn_dropout(b, h, i, j, key);
  let d = (row_part[4u * r] + row_part[4u * r + 1u]) + (row_part[4u * r + 2u] + row_part[4u * r + 3u]);
  return vec2<f32>(p * z, p * (dpz * z - d));
}

fn write_grad(index: u32, value: f32) {
  dinp[index] = select(value, dinp[index] + value, params.accumulate == 1u);
}

/** value (dims d, d + 4, d + 8, d + 12 of head h, part of qkv; those past hs skipped) into dinp at (b, t). */
fn write_grad_lanes(b: u32, t: u32, part: u32, h: u32, d: u32, value: vec4<f32>) {
  let hs = head_size();
  let o = qkv_index(b, t, part, h, d);
  if (d < hs) { write_grad(o, value.x); }
  if (d + 4u < hs) { write_grad(o + 4u, value.y); }
  if (d + 8u < hs) { write_grad(o + 8u, value.z); }
  if (d + 12u < hs) { write_grad(o + 12u, value.w); }
}

/** Owned row or key c's dims 4g .. 4g+3 from the dim-major tiles. */
fn own_a_col(g: u32, c: u32) -> vec4<f32> {
  let base = 4u * g * OWN_TS + c;
  return vec4<f32>(own_a[base], own_a[base + OWN_TS], own_a[base + 2u * OWN_TS], own_a[base + 3u * OWN_TS]);
}

fn own_b_col(g: u32, c: u32) -> vec4<f32> {
  let base = 4u * g * OWN_TS + c;
  return vec4<f32>(own_b[base], own_b[base + OWN_TS], own_b[base + 2u * OWN_TS], own_b[base + 3u * OWN_TS]);
}

/** Dims lane + 16m + 4t (t = 0..3) of streamed row r. */
fn sub_a_lanes(r: u32, mm: u32, lane: u32) -> vec4<f32> {
  let base = r * STRIDE + 16u * mm + lane;
  return vec4<f32>(sub_a[base], sub_a[base + 4u], sub_a[base + 8u], sub_a[base + 12u]);
}

fn sub_b_lanes(r: u32, mm: u32, lane: u32) -> vec4<f32> {
  let base = r * STRIDE + 16u * mm + lane;
  return vec4<f32>(sub_b[base], sub_b[base + 4u], sub_b[base + 8u], sub_b[base + 12u]);
}

/** Dims 4g .. 4g+3 of streamed row r. */
fn sub_a_row(r: u32, g: u32) -> vec4<f32> {
  let base = r * STRIDE + 4u * g;
  return vec4<f32>(sub_a[base], sub_a[base + 1u], sub_a[base + 2u], sub_a[base + 3u]);
}

fn sub_b_row(r: u32, g: u32) -> vec4<f32> {
  let base = r * STRIDE + 4u * g;
  return vec4<f32>(sub_b[base], sub_b[base + 1u], sub_b[base + 2u], sub_b[base + 3u]);
}

/** Loads owned rows (keys or queries) dim-major: own_a from part pa of qkv, own_b from part pb or dout (pb 3). */
fn load_own(b: u32, h: u32, t0: u32, pa: u32, pb: u32, tid: u32) {
  let T = params.T;
  let hs = head_size();
  let hsp = 4u * head_vecs();
  for (var idx = tid; idx < BLOCK * hsp; idx += WG) {
    let c = idx / hsp;
    let d = idx % hsp;
    let t = min(t0 + c, T - 1u); // rows past T are never used: every use checks j <= i < T
    let dd = min(d, hs - 1u);
    own_a[d * OWN_TS + c] = select(0.0, inp[qkv_index(b, t, pa, h, dd)], d < hs);
    var vb = 0.0;
    if (pb == 3u) { vb = dout[merged_index(b, t, h, dd)]; } else { vb = inp[qkv_index(b, t, pb, h, dd)]; }
    own_b[d * OWN_TS + c] = select(0.0, vb, d < hs);
  }
}

fn backward_dkv(kb: u32, h: u32, b: u32, tid: u32) {
  let T = params.T;
  let hs = head_size();
  let hs4 = head_vecs();
  let hsp = 4u * hs4;
  let sc = scale();
  let key = dropout_key();
  let j0 = kb * BLOCK;
  load_own(b, h, j0, 1u, 2u, tid);
  let pc = tid % BLOCK; // pair phase: key
  let pr = tid / BLOCK; //   and rows pr, pr + 4
  let c = tid / LANES;  // accumulation: key
  let lane = tid % LANES;
  let nacc = lane_vecs();
  var dk = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  var dv = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));

  for (var i0 = j0; i0 < T; i0 += SUB) { // causal: only rows i >= j0 see these keys
    workgroupBarrier();
    for (var idx = tid; idx < SUB * hsp; idx += WG) {
      let r = idx / hsp;
      let d = idx % hsp;
      let i = min(i0 + r, T - 1u);
      let dd = min(d, hs - 1u);
      sub_a[r * STRIDE + d] = select(0.0, inp[qkv_index(b, i, 0u, h, dd)], d < hs);
      sub_b[r * STRIDE + d] = select(0.0, dout[merged_index(b, i, h, dd)], d < hs);
    }
    load_rows(b, h, i0, SUB, tid);
    workgroupBarrier();

    var s0 = 0.0;
    var s1 = 0.0;
    var dpz0 = 0.0;
    var dpz1 = 0.0;
    for (var g = 0u; g < hs4; g++) {
      let k = own_a_col(g, pc);
      let v = own_b_col(g, pc);
      s0 += dot(sub_a_row(pr, g), k);
      s1 += dot(sub_a_row(pr + 4u, g), k);
      dpz0 += dot(sub_b_row(pr, g), v);
      dpz1 += dot(sub_b_row(pr + 4u, g), v);
    }
    let g0 = pair_grad(b, h, i0 + pr, j0 + pc, pr, s0 * sc, dpz0, key);
    let g1 = pair_grad(b, h, i0 + pr + 4u, j0 + pc, pr + 4u, s1 * sc, dpz1, key);
    pair_pz[pr * BLOCK + pc] = g0.x;
    pair_ds[pr * BLOCK + pc] = g0.y;
    pair_pz[(pr + 4u) * BLOCK + pc] = g1.x;
    pair_ds[(pr + 4u) * BLOCK + pc] = g1.y;
    workgroupBarrier();

    for (var mm = 0u; mm < nacc; mm++) {
      var k = dk[mm];
      var v = dv[mm];
      for (var r = 0u; r < SUB; r++) {
        v = fma(vec4<f32>(pair_pz[r * BLOCK + c]), sub_b_lanes(r, mm, lane), v);
        k = fma(vec4<f32>(pair_ds[r * BLOCK + c]), sub_a_lanes(r, mm, lane), k);
      }
      dk[mm] = k;
      dv[mm] = v;
    }
  }

  let j = j0 + c;
  if (j < T) {
    for (var mm = 0u; mm < nacc; mm++) {
      write_grad_lanes(b, j, 1u, h, 16u * mm + lane, dk[mm] * sc);
      write_grad_lanes(b, j, 2u, h, 16u * mm + lane, dv[mm]);
    }
  }
}

fn backward_dq(qb: u32, h: u32, b: u32, tid: u32) {
  let T = params.T;
  let hs = head_size();
  let hs4 = head_vecs();
  let hsp = 4u * hs4;
  let sc = scale();
  let key = dropout_key();
  let i0 = qb * BLOCK;
  load_own(b, h, i0, 0u, 3u, tid);
  load_rows(b, h, i0, BLOCK, tid);
  let pr = tid % BLOCK; // pair phase: query row
  let pc = tid / BLOCK; //   and keys pc, pc + 4
  let r = tid / LANES;  // accumulation: query row
  let lane = tid % LANES;
  let nacc = lane_vecs();
  var dq = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));

  let key_end = min(i0 + BLOCK, T);
  for (var j0 = 0u; j0 < key_end; j0 += SUB) {
    workgroupBarrier();
    for (var idx = tid; idx < SUB * hsp; idx += WG) {
      let c = idx / hsp;
      let d = idx % hsp;
      let j = min(j0 + c, T - 1u);
      let dd = min(d, hs - 1u);
      sub_a[c * STRIDE + d] = select(0.0, inp[qkv_index(b, j, 1u, h, dd)], d < hs);
      sub_b[c * STRIDE + d] = select(0.0, inp[qkv_index(b, j, 2u, h, dd)], d < hs);
    }
    workgroupBarrier();

    var s0 = 0.0;
    var s1 = 0.0;
    var dpz0 = 0.0;
    var dpz1 = 0.0;
    for (var g = 0u; g < hs4; g++) {
      let q = own_a_col(g, pr);
      let d = own_b_col(g, pr);
      s0 += dot(q, sub_a_row(pc, g));
      s1 += dot(q, sub_a_row(pc + 4u, g));
      dpz0 += dot(d, sub_b_row(pc, g));
      dpz1 += dot(d, sub_b_row(pc + 4u, g));
    }
    pair_ds[pc * BLOCK + pr] = pair_grad(b, h, i0 + pr, j0 + pc, pr, s0 * sc, dpz0, key).y;
    pair_ds[(pc + 4u) * BLOCK + pr] = pair_grad(b, h, i0 + pr, j0 + pc + 4u, pr, s1 * sc, dpz1, key).y;
    workgroupBarrier();

    for (var mm = 0u; mm < nacc; mm++) {
      var a = dq[mm];
      for (var c = 0u; c < SUB; c++) {
        a = fma(vec4<f32>(pair_ds[c * BLOCK + r]), sub_a_lanes(c, mm, lane), a);
      }
      dq[mm] = a;
    }
  }

  let i = i0 + r;
  if (i < T) {
    for (var mm = 0u; mm < nacc; mm++) {
      write_grad_lanes(b, i, 0u, h, 16u * mm + lane, dq[mm] * sc);
    }
  }
}

@compute @workgroup_size(WG)
fn attention_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let nblocks = (params.T + BLOCK - 1u) / BLOCK;
  // The role depends on the workgroup id only, so the barriers inside stay in uniform control flow.
  if (wid.x < nblocks) {
    backward_dkv(wid.x, wid.y, wid.z, tid);
  } else {
    backward_dq(wid.x - nblocks, wid.y, wid.z, tid);
  }
}

// ---------------------------------------------------------------------------------------------------
// Probabilities of one example for visualisation (no dropout): workgroup (query row i, head h) writes
// att[h, i, :]; masked entries are 0. Scores go to att first, then exp, then the division by the sum.

@compute @workgroup_size(WG)
fn attention_probs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let T = params.T;
  let hs = head_size();
  let sc = scale();
  let b = params.b_index;
  let i = wid.x;
  let h = wid.y;
  let row = (h * T + i) * T;

  var mx = NEG_BIG;
  for (var j = tid; j <= i; j += WG) {
    var dot = 0.0;
    for (var d = 0u; d < hs; d++) {
      dot += inp[qkv_index(b, i, 0u, h, d)] * inp[qkv_index(b, j, 1u, h, d)];
    }
    let s = dot * sc;
    att[row + j] = s;
    mx = max(mx, s);
  }
  let m = workgroup_max(tid, mx);

  var sum = 0.0;
  for (var j = tid; j < T; j += WG) {
    let e = select(0.0, exp(att[row + j] - m), j <= i);
    att[row + j] = e;
    sum += e;
  }
  let l = workgroup_sum(tid, sum);

  for (var j = tid; j <= i; j += WG) {
    att[row + j] = att[row + j] / l;
  }
}
