// AdamW (Loshchilov & Hutter), in the order and form of PyTorch's torch.optim.AdamW, one dispatch per parameter
// tensor. Per element, with g = grad * clip_scale (the global-norm clip from gradnorm.wgsl, applied here so the
// gradients are never rewritten):
//   p = p * (1 - lr * wd)                       only where weight decay applies (decay == 1)
//   m = lerp(m, g, 1 - beta1)                   torch's lerp_ formula for each side of weight 0.5
//   v = v * beta2 + (1 - beta2) * g * g
//   p = p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),   step_size = lr / (1 - beta1^t)
// Step-dependent scalars live in the small f32 storage tensor `opt_state` that the host writes each step (and
// gradnorm_reduce writes the clip scale into), so neither Params nor pipelines change between steps. The host
// computes them in float64 as PyTorch does in Python, and 1 - beta1 and 1 - beta2 come in Params for the same
// reason (1 - 0.999 in f32 differs from f32(0.001) by 1.3e-5 relative).

struct Params {
  n: u32,                 // elements of this parameter tensor
  one_minus_beta1: f32,   // 1 - beta1, computed in float64 on the host
  beta2: f32,
  one_minus_beta2: f32,   // 1 - beta2, computed in float64 on the host
  eps: f32,
  decay: u32,             // 1 applies decoupled weight decay to this tensor
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> opt_state: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WG: u32 = 256u;
// The layout of opt_state (OPT_STATE in src/ops/adamw.ts reads it from here). LR and STEP are written by
// the host for information only; the kernel reads the derived values.
const LR: u32 = 0u;
const STEP_SIZE: u32 = 1u;     // lr / (1 - beta1^t)
const BC2_SQRT: u32 = 2u;      // sqrt(1 - beta2^t)
const CLIP_SCALE: u32 = 3u;    // min(1, max_norm / (norm + 1e-6)), or 1
const DECAY_FACTOR: u32 = 4u;  // 1 - lr * weight_decay
const STEP: u32 = 5u;          // t, 1-based
const OPT_STATE_SIZE: u32 = 8u;

@compute @workgroup_size(WG)
fn adamw_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let g = grad[i] * opt_state[CLIP_SCALE];
  var p = param[i];
  if (params.decay == 1u) {
    p = p * opt_state[DECAY_FACTOR];
  }
  let w = params.one_minus_beta1;
  let m_old = m[i];
  let m_new = select(g - (g - m_old) * (1.0 - w), m_old + w * (g - m_old), w < 0.5);
  let v_new = v[i] * params.beta2 + params.one_minus_beta2 * (g * g);
  let denom = sqrt(v_new) / opt_state[BC2_SQRT] + params.eps;
  param[i] = p - opt_state[STEP_SIZE] * (m_new / denom);
  m[i] = m_new;
  v[i] = v_new;
}
