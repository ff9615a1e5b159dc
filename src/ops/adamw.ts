// AdamW, as PyTorch's torch.optim.AdamW (decoupled weight decay applied first, bias corrections in the
// denominator as sqrt(v) / sqrt(1 - beta2^t) + eps), with optional global-norm gradient clipping:
// a float64 CPU reference, the host-side per-step scalars, and the op that records the optimizer dispatches
// (gradnorm_partials per gradient, gradnorm_reduce, then adamw_update per parameter). Kernel: shaders/adamw.wgsl.
import { shaderInteger } from '../gpu/shader-constants.ts';
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import { sameShape, type Tensor } from '../runtime/tensor.ts';
import { gradNorm } from './gradnorm.ts';

export const ADAMW_UPDATE = kernel('adamw.wgsl', 'adamw_update', ['param', 'grad', 'm', 'v', 'opt_state']);

const slot = (name: string) => shaderInteger('adamw.wgsl', name);

/** Slots of the f32 `opt_state` tensor, as adamw.wgsl lays it out (gradnorm.wgsl writes CLIP_SCALE too). */
export const OPT_STATE = {
  /** Learning rate of this step (informational: the kernel reads the two derived values below). */
  lr: slot('LR'),
  /** lr / (1 - beta1^t). */
  stepSize: slot('STEP_SIZE'),
  /** sqrt(1 - beta2^t). */
  bc2Sqrt: slot('BC2_SQRT'),
  /** Gradient multiplier: written by gradnorm_reduce each step (1 when clipping is off). */
  clipScale: slot('CLIP_SCALE'),
  /** 1 - lr * weightDecay, applied to tensors with decay. */
  decayFactor: slot('DECAY_FACTOR'),
  /** The step t (1-based), informational. */
  step: slot('STEP'),
} as const;
export const OPT_STATE_SIZE = slot('OPT_STATE_SIZE');

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 0 for tensors without decay. */
  weightDecay: number;
  /** 1-based step. */
  step: number;
  /** Gradient multiplier from clipping (1: none). */
  clipScale?: number;
}

/**
 * One AdamW step in place, float64, in PyTorch's order:
 *   p *= 1 - lr wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g²;
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),   with g = grad * clipScale.
 */
export function adamwStepRef(
  param: Float64Array, // [n] updated in place
  grad: Float64Array, // [n]
  m: Float64Array, // [n] first moment, updated in place
  v: Float64Array, // [n] second moment, updated in place
  hp: AdamWHyper,
): void {
  const { lr, beta1, beta2, eps, weightDecay, step } = hp;
  const clipScale = hp.clipScale ?? 1;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! * clipScale;
    const p = param[i]! * (1 - lr * weightDecay);
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    param[i] = p - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
  }
}

export interface AdamWOptions {
  /** [beta1, beta2]; default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay; default 0.01. */
  weightDecay?: number;
  /** Which parameters decay; default: tensors of 2+ dims (no decay on biases and gains, as in GPT-1). */
  decayMask?: (param: Tensor) => boolean;
  /** Global-norm clip threshold (clip_grad_norm_'s max_norm); undefined: no clipping. */
  maxGradNorm?: number;
}

export interface AdamWState {
  /** [8] f32 written by the host before each step with optStateFor(step, lr); see OPT_STATE. */
  optState: Tensor;
  /** [1] global gradient norm of the step, before clipping (read it asynchronously; check it is finite). */
  norm: Tensor;
  /** Moments per parameter, storage class 'moment', same shapes; start them at zero (new buffers are zeroed). */
  moments: { param: Tensor; m: Tensor; v: Tensor }[];
  /** The values to write into optState for 1-based `step` at learning rate `lr`. */
  optStateFor(step: number, lr: number): Float32Array<ArrayBuffer>;
}

/** Default AdamW decay mask: matrices and embeddings decay; biases and LayerNorm gains do not. */
export function decayMatrices(param: Tensor): boolean {
  return param.shape.length >= 2;
}

/** opt_state for step t (1-based): the per-step scalars, computed in float64 as PyTorch computes them in Python. */
export function optStateValues(
  step: number,
  lr: number,
  betas: readonly [number, number],
  weightDecay: number,
): Float32Array<ArrayBuffer> {
  if (!Number.isInteger(step) || step < 1) throw new Error(`AdamW step must be an integer >= 1, got ${step}`);
  const [beta1, beta2] = betas;
  const out = new Float32Array(OPT_STATE_SIZE);
  out[OPT_STATE.lr] = lr;
  out[OPT_STATE.stepSize] = lr / (1 - beta1 ** step);
  out[OPT_STATE.bc2Sqrt] = Math.sqrt(1 - beta2 ** step);
  out[OPT_STATE.clipScale] = 1; // overwritten on the GPU by gradnorm_reduce
  out[OPT_STATE.decayFactor] = 1 - lr * weightDecay;
  out[OPT_STATE.step] = step;
  return out;
}

/**
 * Records one optimizer step over `paramGrads` (e.g. g.paramGrads()): the global gradient norm and clip scale,
 * then one AdamW update per parameter. Record it after backward; write optStateFor(step, lr) before each run.
 */
export function adamw(
  g: Graph,
  paramGrads: readonly { param: Tensor; grad: Tensor }[],
  options: AdamWOptions = {},
): AdamWState {
  const betas = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  const decayMask = options.decayMask ?? decayMatrices;
  for (const { param, grad } of paramGrads) {
    if (!sameShape(param.shape, grad.shape)) throw new Error(`adamw: ${param} and its gradient ${grad} differ`);
  }
  const optState = g.input('adamw.opt_state', [OPT_STATE_SIZE]); // [8]
  const { norm } = gradNorm(
    g,
    paramGrads.map((pg) => pg.grad),
    optState,
    { maxNorm: options.maxGradNorm },
  );
  const moments = paramGrads.map(({ param, grad }) => {
    const m = g.state(`adamw.m(${param.name})`, param.shape, 'f32', 'moment'); // same shape as param
    const v = g.state(`adamw.v(${param.name})`, param.shape, 'f32', 'moment'); // same shape as param
    const decay = weightDecay !== 0 && decayMask(param);
    g.dispatch(
      ADAMW_UPDATE,
      { param, grad, m, v, opt_state: optState },
      {
        n: param.size,
        one_minus_beta1: 1 - betas[0],
        beta2: betas[1],
        one_minus_beta2: 1 - betas[1],
        eps,
        decay: decay ? 1 : 0,
      },
      threadGrid(ADAMW_UPDATE, param.size),
      { label: `adamw_update(${param.name})` },
    );
    return { param, m, v };
  });
  return {
    optState,
    norm,
    moments,
    optStateFor: (step, lr) => optStateValues(step, lr, betas, weightDecay),
  };
}
