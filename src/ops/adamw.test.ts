// AdamW CPU reference and per-step scalars against hand-computed values.
import { describe, expect, it } from 'vitest';
import { shaderInteger } from '../gpu/shader-constants.ts';
import { Tensor } from '../runtime/tensor.ts';
import { adamwStepRef, decayMatrices, OPT_STATE, OPT_STATE_SIZE, optStateValues } from './adamw.ts';

const HP = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe('adamw reference', () => {
  it('matches hand-computed values for two steps with a constant gradient and weight decay', () => {
    // Constant g: m̂ = g and v̂ = g² at every step, so each update is lr * g / (|g| + eps),
    // after the decay p *= 1 - lr wd = 0.99999. Values worked out in 40-digit decimal arithmetic.
    const p = Float64Array.of(1, -3);
    const grad = Float64Array.of(0.5, -2);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    adamwStepRef(p, grad, m, v, { ...HP, weightDecay: 0.01, step: 1 });
    expect(p[0]).toBeCloseTo(0.99899000002, 15);
    expect(p[1]).toBeCloseTo(-2.998970000005, 14);
    expect(m[0]).toBeCloseTo(0.05, 16); // (1 - 0.9) * 0.5
    expect(v[1]).toBeCloseTo(0.004, 16); // (1 - 0.999) * 4
    adamwStepRef(p, grad, m, v, { ...HP, weightDecay: 0.01, step: 2 });
    expect(p[0]).toBeCloseTo(0.9979800101399998, 15);
    expect(p[1]).toBeCloseTo(-2.99794001031, 14);
    expect(m[0]).toBeCloseTo(0.095, 16); // 0.9 * 0.05 + 0.05
    expect(v[1]).toBeCloseTo(0.007996, 16); // 0.999 * 0.004 + 0.004
  });

  it('applies the bias corrections as PyTorch does when the gradient flips sign', () => {
    // g = +1 then -1, no decay, p0 = 0. Step 1: m = 0.1, v = 0.001, update = lr / (1 + eps).
    // Step 2: m = -0.01, v = 0.001999; m̂ = -0.01 / 0.19 = -1/19; sqrt(v) / sqrt(1 - 0.999²) = 1,
    // so p2 = -lr / (1 + eps) + lr / 19 / (1 + eps) = -lr (18/19) / (1 + eps).
    const p = Float64Array.of(0);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStepRef(p, Float64Array.of(1), m, v, { ...HP, weightDecay: 0, step: 1 });
    expect(p[0]).toBeCloseTo(-1e-3 / (1 + 1e-8), 17);
    adamwStepRef(p, Float64Array.of(-1), m, v, { ...HP, weightDecay: 0, step: 2 });
    expect(m[0]).toBeCloseTo(-0.01, 16);
    expect(v[0]).toBeCloseTo(0.001999, 16);
    expect(p[0]).toBeCloseTo((-1e-3 * 18) / 19 / (1 + 1e-8), 17);
  });

  it('multiplies the gradient by the clip scale before the moments', () => {
    // g = 4 scaled by 0.25 -> 1: m = 0.1, v = 0.001, and Adam's update is the same as for g = 1.
    const p = Float64Array.of(2);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStepRef(p, Float64Array.of(4), m, v, { ...HP, weightDecay: 0, step: 1, clipScale: 0.25 });
    expect(m[0]).toBeCloseTo(0.1, 16);
    expect(v[0]).toBeCloseTo(0.001, 16);
    expect(p[0]).toBeCloseTo(2 - 1e-3 / (1 + 1e-8), 15);
  });

  it('computes the per-step scalars of opt_state', () => {
    const s = optStateValues(1, 1e-3, [0.9, 0.999], 0.01);
    expect(s.length).toBe(8);
    expect(s[OPT_STATE.lr]).toBe(Math.fround(1e-3));
    expect(s[OPT_STATE.stepSize]).toBe(Math.fround(1e-2)); // 1e-3 / (1 - 0.9)
    expect(s[OPT_STATE.bc2Sqrt]).toBe(Math.fround(Math.sqrt(0.001)));
    expect(s[OPT_STATE.clipScale]).toBe(1);
    expect(s[OPT_STATE.decayFactor]).toBe(Math.fround(0.99999));
    expect(s[OPT_STATE.step]).toBe(1);
    const s3 = optStateValues(3, 2e-3, [0.9, 0.999], 0.01);
    expect(s3[OPT_STATE.stepSize]).toBe(Math.fround(2e-3 / 0.271)); // 1 - 0.9³ = 0.271
    expect(s3[OPT_STATE.bc2Sqrt]).toBe(Math.fround(Math.sqrt(0.002997001))); // 1 - 0.999³
    expect(() => optStateValues(0, 1e-3, [0.9, 0.999], 0)).toThrow();
  });

  it('lays out opt_state as adamw.wgsl declares it, and gradnorm.wgsl writes the same clip slot', () => {
    const slots = Object.values(OPT_STATE);
    expect(new Set(slots).size).toBe(slots.length);
    expect(Math.max(...slots)).toBeLessThan(OPT_STATE_SIZE);
    expect(OPT_STATE.clipScale).toBe(shaderInteger('gradnorm.wgsl', 'CLIP_SCALE'));
  });

  it('decays matrices and embeddings by default, not biases or gains', () => {
    expect(decayMatrices(new Tensor('w', [4, 3], 'f32', 'param', true))).toBe(true);
    expect(decayMatrices(new Tensor('b', [3], 'f32', 'param', true))).toBe(false);
  });
});
