// Fused causal self-attention, as Hugging Face's OpenAIGPT `Attention` (GPT-1):
//   w = q k^T / sqrt(hs); causal mask (key j > query i) filled with -1e4; softmax; dropout on the
//   probabilities; out = P v with the heads merged back into [B, T, C].
// Flash-attention style (online softmax): the B*NH*T*T probabilities are never stored. The forward saves
// each row's max and sum; the backward recomputes P from q, k and them, and the dropout mask from the hash.
//
// Layouts: inp = qkv [B, T, 3C] from c_attn (q | k | v on the last dim, head h at h*hs within each third);
// out [B, T, C]; stats [B, NH, T, 2] = (row max of the scaled scores, sum of exp(score - max)).
// Dropout index of probability (b, h, i, j): ((b*NH + h)*T + i)*T + j (u32, as src/ops/attention.ts).
//
// Masking by skipping: HF writes exactly -1e4 into masked scores and takes a softmax over the whole row.
// Every causal row has its diagonal key unmasked, so the row max m is at least that score, and for any
// score range a model can have (|w| far below 9,896) exp(-1e4 - m) < 2^-150, which rounds to exactly 0
// in f32. Masked positions thus add exactly 0 to HF's sum and to P v; here they are skipped.

#include "random.wgsl"

struct Params {
  B: u32,
  T: u32,
  C: u32,          // model width; head size hs = C / NH (at most HS_MAX)
  NH: u32,
  b_index: u32,    // attention_probs: the example whose probabilities are written
  accumulate: u32, // backward: 0 overwrites dinp, 1 adds to it
  seed: u32,       // dropout: this step's seed; forward and backward nodes must get the same one
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
@group(0) @binding(8) var<uniform> params: Params;

const WG: u32 = 64u;
const HS_MAX: u32 = 64u;
// Row stride of head vectors in workgroup memory: one more than HS_MAX so that threads reading the same
// dimension of different rows hit different banks.
const STRIDE: u32 = 65u;
// Threads sharing one owned row (forward: query; backward: key or query). Lane l owns dims l, l+4, ...
const LANES: u32 = 4u;
const DPT: u32 = 16u;   // HS_MAX / LANES: dims per thread
const BLOCK: u32 = 16u; // rows owned by a workgroup (WG / LANES)
const FWD_KEYS: u32 = 16u; // keys per forward K/V tile
const SUB: u32 = 8u;    // backward: rows of the streamed tile (query rows for dk/dv, keys for dq)
const NEG_BIG: f32 = -3.0e38;

// Forward workgroup memory: 3 * 1040 + 2 * 256 floats = 14,528 bytes (< 16 KiB).
var<workgroup> fq: array<f32, 1040>;   // [BLOCK][STRIDE] queries of this block
var<workgroup> fk: array<f32, 1040>;   // [FWD_KEYS][STRIDE] key tile
var<workgroup> fv: array<f32, 1040>;   // [FWD_KEYS][STRIDE] value tile
var<workgroup> fs: array<f32, 256>;    // [BLOCK][FWD_KEYS] scaled scores
var<workgroup> fz: array<f32, 256>;    // [BLOCK][FWD_KEYS] dropout multipliers

// Backward workgroup memory: 2 * 1040 + 2 * 520 + 2 * 128 + 3 * 16 floats = 13,696 bytes.
var<workgroup> own_a: array<f32, 1040>; // [BLOCK][STRIDE] dk/dv role: K of the owned keys;  dq role: Q of the owned rows
var<workgroup> own_b: array<f32, 1040>; // [BLOCK][STRIDE] dk/dv role: V;                    dq role: dout
var<workgroup> sub_a: array<f32, 520>;  // [SUB][STRIDE]   dk/dv role: Q of streamed rows;  dq role: K of streamed keys
var<workgroup> sub_b: array<f32, 520>;  // [SUB][STRIDE]   dk/dv role: dout;                 dq role: V
var<workgroup> pair_pz: array<f32, 128>; // P * dropout, per (query row, key) of the current tile
var<workgroup> pair_ds: array<f32, 128>; // dS = P * (dP - D), per (query row, key)
var<workgroup> row_m: array<f32, 16>;   // per query row of the tile: saved max,
var<workgroup> row_l: array<f32, 16>;   //   saved sum,
var<workgroup> row_d: array<f32, 16>;   //   D = dout . out

var<workgroup> red: array<f32, 64>;     // attention_probs: reduction scratch

fn head_size() -> u32 {
  return params.C / params.NH;
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

/** The inverted-dropout multiplier of probability (b, h, i, j). */
fn attn_dropout(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let index = ((b * params.NH + h) * params.T + i) * params.T + j;
  return dropout_scale(params.seed, params.stream, index, params.dropout_p);
}

// ---------------------------------------------------------------------------------------------------
// Forward. Workgroup (query block, h, b): 16 query rows, 4 threads per row. K/V tiles of 16 keys stream
// through workgroup memory up to the block's last row (causal); each row keeps a running max m, sum l and
// an accumulator of exp(s - m) * dropout * v that is rescaled whenever m grows.

@compute @workgroup_size(WG)
fn attention_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let T = params.T;
  let hs = head_size();
  let sc = scale();
  let h = wid.y;
  let b = wid.z;
  let q0 = wid.x * BLOCK;

  for (var idx = tid; idx < BLOCK * hs; idx += WG) {
    let r = idx / hs;
    let d = idx % hs;
    fq[r * STRIDE + d] = select(0.0, inp[qkv_index(b, min(q0 + r, T - 1u), 0u, h, d)], q0 + r < T);
  }

  let r = tid / LANES;
  let lane = tid % LANES;
  let i = q0 + r;
  var m = NEG_BIG;
  var l = 0.0;
  var acc: array<f32, DPT>;

  let key_end = min(q0 + BLOCK, T); // keys past the block's last row are masked for all its rows
  for (var j0 = 0u; j0 < key_end; j0 += FWD_KEYS) {
    workgroupBarrier(); // the previous tile is consumed (and the queries are loaded, the first time)
    for (var idx = tid; idx < FWD_KEYS * hs; idx += WG) {
      let c = idx / hs;
      let d = idx % hs;
      let j = min(j0 + c, T - 1u); // rows past T are loaded but never used: every use checks j <= i < T
      fk[c * STRIDE + d] = inp[qkv_index(b, j, 1u, h, d)];
      fv[c * STRIDE + d] = inp[qkv_index(b, j, 2u, h, d)];
    }
    workgroupBarrier();
    for (var p = tid; p < BLOCK * FWD_KEYS; p += WG) {
      let pr = p / FWD_KEYS;
      let pc = p % FWD_KEYS;
      var dot = 0.0;
      for (var d = 0u; d < hs; d++) {
        dot += fq[pr * STRIDE + d] * fk[pc * STRIDE + d];
      }
      fs[p] = dot * sc;
      let pi = q0 + pr;
      let pj = j0 + pc;
      fz[p] = select(0.0, attn_dropout(b, h, pi, pj), pj <= pi && pi < T);
    }
    workgroupBarrier();
    // Online softmax update of row r (each of its 4 lanes does the same scalar work on its own dims).
    var tile_max = NEG_BIG;
    for (var c = 0u; c < FWD_KEYS; c++) {
      if (j0 + c <= i) { tile_max = max(tile_max, fs[r * FWD_KEYS + c]); }
    }
    let m_new = max(m, tile_max);
    let alpha = exp(m - m_new); // 0 on the first tile (m = NEG_BIG), 1 when the max did not grow
    l *= alpha;
    for (var k = 0u; k < DPT; k++) { acc[k] *= alpha; }
    for (var c = 0u; c < FWD_KEYS; c++) {
      if (j0 + c <= i) {
        let e = exp(fs[r * FWD_KEYS + c] - m_new);
        l += e;
        let ez = e * fz[r * FWD_KEYS + c];
        for (var k = 0u; k < DPT; k++) {
          let d = lane + k * LANES;
          if (d < hs) { acc[k] += ez * fv[c * STRIDE + d]; }
        }
      }
    }
    m = m_new;
  }

  if (i < T) {
    // l >= 1: the row's max term contributes exp(0).
    for (var k = 0u; k < DPT; k++) {
      let d = lane + k * LANES;
      if (d < hs) { out[merged_index(b, i, h, d)] = acc[k] / l; }
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
// element has exactly one owning thread: a dk/dv workgroup owns 16 keys and loops over the query rows
// i >= its first key; a dq workgroup owns 16 query rows and loops over the keys j <= its last row.

/** D_i = dout_i . out_i for head h, in a fixed order (both roles compute the same bits). */
fn row_delta(b: u32, h: u32, i: u32) -> f32 {
  var sum = 0.0;
  for (var d = 0u; d < head_size(); d++) {
    sum += dout[merged_index(b, i, h, d)] * saved_out[merged_index(b, i, h, d)];
  }
  return sum;
}

/** Loads the saved statistics and D of query row i into slot r (rows past T get harmless values). */
fn load_row(b: u32, h: u32, i: u32, r: u32) {
  if (i < params.T) {
    row_m[r] = saved_stats[stats_index(b, h, i)];
    row_l[r] = saved_stats[stats_index(b, h, i) + 1u];
    row_d[r] = row_delta(b, h, i);
  } else {
    row_m[r] = 0.0;
    row_l[r] = 1.0;
    row_d[r] = 0.0;
  }
}

/** (P z, dS) of one (query row, key) pair from its scaled score s and dpz = dout_i . v_j. */
fn pair_grad(valid: bool, s: f32, dpz: f32, r: u32, z: f32) -> vec2<f32> {
  let p = select(0.0, exp(s - row_m[r]) / row_l[r], valid);
  return vec2<f32>(p * z, p * (dpz * z - row_d[r]));
}

fn write_grad(index: u32, value: f32) {
  dinp[index] = select(value, dinp[index] + value, params.accumulate == 1u);
}

fn backward_dkv(kb: u32, h: u32, b: u32, tid: u32) {
  let T = params.T;
  let hs = head_size();
  let sc = scale();
  let j0 = kb * BLOCK;
  for (var idx = tid; idx < BLOCK * hs; idx += WG) {
    let c = idx / hs;
    let d = idx % hs;
    let j = min(j0 + c, T - 1u); // keys past T are never used: every use checks j <= i < T
    own_a[c * STRIDE + d] = inp[qkv_index(b, j, 1u, h, d)];
    own_b[c * STRIDE + d] = inp[qkv_index(b, j, 2u, h, d)];
  }
  let c = tid / LANES;
  let lane = tid % LANES;
  var dk: array<f32, DPT>;
  var dv: array<f32, DPT>;

  for (var i0 = j0; i0 < T; i0 += SUB) { // causal: only rows i >= j0 see these keys
    workgroupBarrier();
    for (var idx = tid; idx < SUB * hs; idx += WG) {
      let r = idx / hs;
      let d = idx % hs;
      let i = min(i0 + r, T - 1u);
      sub_a[r * STRIDE + d] = inp[qkv_index(b, i, 0u, h, d)];
      sub_b[r * STRIDE + d] = dout[merged_index(b, i, h, d)];
    }
    if (tid < SUB) { load_row(b, h, i0 + tid, tid); }
    workgroupBarrier();
    for (var p = tid; p < SUB * BLOCK; p += WG) {
      let pr = p / BLOCK;
      let pc = p % BLOCK;
      let i = i0 + pr;
      let j = j0 + pc;
      var s = 0.0;
      var dpz = 0.0;
      for (var d = 0u; d < hs; d++) {
        s += sub_a[pr * STRIDE + d] * own_a[pc * STRIDE + d];
        dpz += sub_b[pr * STRIDE + d] * own_b[pc * STRIDE + d];
      }
      let valid = j <= i && i < T;
      let g = pair_grad(valid, s * sc, dpz, pr, select(0.0, attn_dropout(b, h, i, j), valid));
      pair_pz[p] = g.x;
      pair_ds[p] = g.y;
    }
    workgroupBarrier();
    for (var r = 0u; r < SUB; r++) {
      let pz = pair_pz[r * BLOCK + c];
      let ds = pair_ds[r * BLOCK + c];
      for (var k = 0u; k < DPT; k++) {
        let d = lane + k * LANES;
        if (d < hs) {
          dv[k] += pz * sub_b[r * STRIDE + d];
          dk[k] += ds * sub_a[r * STRIDE + d];
        }
      }
    }
  }

  let j = j0 + c;
  if (j < T) {
    for (var k = 0u; k < DPT; k++) {
      let d = lane + k * LANES;
      if (d < hs) {
        write_grad(qkv_index(b, j, 1u, h, d), dk[k] * sc);
        write_grad(qkv_index(b, j, 2u, h, d), dv[k]);
      }
    }
  }
}

fn backward_dq(qb: u32, h: u32, b: u32, tid: u32) {
  let T = params.T;
  let hs = head_size();
  let sc = scale();
  let i0 = qb * BLOCK;
  for (var idx = tid; idx < BLOCK * hs; idx += WG) {
    let r = idx / hs;
    let d = idx % hs;
    let i = min(i0 + r, T - 1u);
    own_a[r * STRIDE + d] = inp[qkv_index(b, i, 0u, h, d)];
    own_b[r * STRIDE + d] = dout[merged_index(b, i, h, d)];
  }
  if (tid < BLOCK) { load_row(b, h, i0 + tid, tid); }
  let r = tid / LANES;
  let lane = tid % LANES;
  var dq: array<f32, DPT>;

  let key_end = min(i0 + BLOCK, T);
  for (var j0 = 0u; j0 < key_end; j0 += SUB) {
    workgroupBarrier();
    for (var idx = tid; idx < SUB * hs; idx += WG) {
      let c = idx / hs;
      let d = idx % hs;
      let j = min(j0 + c, T - 1u);
      sub_a[c * STRIDE + d] = inp[qkv_index(b, j, 1u, h, d)];
      sub_b[c * STRIDE + d] = inp[qkv_index(b, j, 2u, h, d)];
    }
    workgroupBarrier();
    for (var p = tid; p < BLOCK * SUB; p += WG) {
      let pr = p / SUB;
      let pc = p % SUB;
      let i = i0 + pr;
      let j = j0 + pc;
      var s = 0.0;
      var dpz = 0.0;
      for (var d = 0u; d < hs; d++) {
        s += own_a[pr * STRIDE + d] * sub_a[pc * STRIDE + d];
        dpz += own_b[pr * STRIDE + d] * sub_b[pc * STRIDE + d];
      }
      let valid = j <= i && i < T;
      pair_ds[p] = pair_grad(valid, s * sc, dpz, pr, select(0.0, attn_dropout(b, h, i, j), valid)).y;
    }
    workgroupBarrier();
    for (var c = 0u; c < SUB; c++) {
      let ds = pair_ds[r * SUB + c];
      for (var k = 0u; k < DPT; k++) {
        let d = lane + k * LANES;
        if (d < hs) { dq[k] += ds * sub_a[c * STRIDE + d]; }
      }
    }
  }

  let i = i0 + r;
  if (i < T) {
    for (var k = 0u; k < DPT; k++) {
      let d = lane + k * LANES;
      if (d < hs) { write_grad(qkv_index(b, i, 0u, h, d), dq[k] * sc); }
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

fn reduce_red(tid: u32, take_max: bool) -> f32 {
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (tid < half) {
      let a = red[tid];
      let c = red[tid + half];
      red[tid] = select(a + c, max(a, c), take_max);
    }
  }
  workgroupBarrier();
  let result = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return result;
}

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
  red[tid] = mx;
  let m = reduce_red(tid, true);

  var sum = 0.0;
  for (var j = tid; j < T; j += WG) {
    let e = select(0.0, exp(att[row + j] - m), j <= i);
    att[row + j] = e;
    sum += e;
  }
  red[tid] = sum;
  let l = reduce_red(tid, false);

  for (var j = tid; j <= i; j += WG) {
    att[row + j] = att[row + j] / l;
  }
}
