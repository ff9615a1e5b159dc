// The interface and helpers every matmul kernel file shares (included by matmul.wgsl and
// matmul_vec4.wgsl): the Params layout, the bindings, operand indexing with transposes, offsets and
// batch strides, bounds-checked operand reads, and the bias + GELU epilogue. See matmul.wgsl for the
// operation itself.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  nb: u32,           // batch count (grid z, or the summed batches when reduce_batch = 1)
  trans_a: u32,      // 1: A is stored [K, M]
  trans_b: u32,      // 1: B is stored [N, K]
  stride_a: u32,     // elements between batches of A; 0 broadcasts
  stride_b: u32,
  stride_c: u32,     // out (and dout in matmul_backward_bias)
  a_offset: u32,     // element offset of A's first batch in `inp`
  b_offset: u32,
  c_offset: u32,
  has_bias: u32,     // 1: add bias[n] (bias is unread otherwise, so any read-only tensor may be bound)
  gelu: u32,         // 1: apply tanh-GELU after the bias
  accumulate: u32,   // 0 overwrites out (or dbias), 1 adds to it
  reduce_batch: u32, // 1: out = sum over the nb batches, written once at c_offset
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> preact: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

#include "gelu_common.wgsl"

const GELU_SCALE: f32 = 0.7978845608028654; // sqrt(2/pi)

// ---- shared helpers -------------------------------------------------------------------------------

// Same expression as gelu_forward in gelu.wgsl, so fused and unfused GELU give the same bits.
fn gelu_act(x: f32) -> f32 {
  return x * sigmoid2(GELU_SCALE * (x + 0.044715 * x * x * x)).s;
}

fn batch_count() -> u32 {
  return select(1u, params.nb, params.reduce_batch == 1u);
}

// Batch index of the operands for summed batch `i` of the output in grid slice `z`.
fn batch_of(z: u32, i: u32) -> u32 {
  return select(z, i, params.reduce_batch == 1u);
}

fn a_index(b: u32, m: u32, k: u32) -> u32 {
  let within = select(m * params.K + k, k * params.M + m, params.trans_a == 1u);
  return params.a_offset + b * params.stride_a + within;
}

fn b_index(b: u32, k: u32, n: u32) -> u32 {
  let within = select(k * params.N + n, n * params.K + k, params.trans_b == 1u);
  return params.b_offset + b * params.stride_b + within;
}

fn c_index(z: u32, m: u32, n: u32) -> u32 {
  let b = select(z, 0u, params.reduce_batch == 1u);
  return params.c_offset + b * params.stride_c + m * params.N + n;
}

// Bounds-checked operand reads for the tiles: zeros pad the edges, which adds nothing to the sums.
fn load_a(b: u32, m: u32, k: u32) -> f32 {
  if (m < params.M && k < params.K) { return inp[a_index(b, m, k)]; }
  return 0.0;
}

fn load_b(b: u32, k: u32, n: u32) -> f32 {
  if (k < params.K && n < params.N) { return weight[b_index(b, k, n)]; }
  return 0.0;
}

// The epilogue for one output: (pre-activation, activated value).
fn finish(sum: f32, n: u32) -> vec2<f32> {
  var pre = sum;
  if (params.has_bias == 1u) { pre = pre + bias[n]; }
  var y = pre;
  if (params.gelu == 1u) { y = gelu_act(pre); }
  return vec2<f32>(pre, y);
}

fn write_out(idx: u32, y: f32) {
  if (params.accumulate == 1u) {
    out[idx] = out[idx] + y;
  } else {
    out[idx] = y;
  }
}
