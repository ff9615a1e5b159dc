// Shared GELU numerics: included by gelu.wgsl and by matmul.wgsl (the fused GELU epilogue), so the
// fused and the standalone activation round identically.

// 0.5 (1 + tanh(u)) = sigmoid(2u) = 1 / (1 + e^(-2u)). This form has no cancellation for negative u,
// where 1 + tanh(u) computed in f32 rounds to 0 long before the true value does. |u| is clamped to 40
// so e^(-2u) stays finite (e^80 < f32 max); sigmoid(±80) is 0/1 to f32 precision anyway.
struct Sigmoid2 { s: f32, one_minus_s: f32 }

fn sigmoid2(u: f32) -> Sigmoid2 {
  let e = exp(-2.0 * clamp(u, -40.0, 40.0));
  let s = 1.0 / (1.0 + e);
  return Sigmoid2(s, e * s);
}
