// The kernel benchmark cases: one op at one shape, forward or backward, with the work it does.
// FLOPs count the arithmetic a straightforward implementation needs (multiply-add = 2); bytes count the
// minimum traffic (each input read once, each output written once, f32), so GB/s is a lower bound on
// the bandwidth a kernel achieved and GFLOP/s compares directly across variants of one op.
import { PRESETS } from '../../src/model/config.ts';
import { lmHeadChunkRows } from '../../src/model/lm-head.ts';
import { parameterTable } from '../../src/model/params.ts';
import { adamw } from '../../src/ops/adamw.ts';
import { attention } from '../../src/ops/attention.ts';
import { crossEntropyForwardChunk } from '../../src/ops/crossentropy.ts';
import { type Embedding, embedding, prepareEmbeddingIndex } from '../../src/ops/embedding.ts';
import { gelu } from '../../src/ops/gelu.ts';
import { layernorm } from '../../src/ops/layernorm.ts';
import { MATMUL_VARIANTS, type MatmulVariant, matmul } from '../../src/ops/matmul.ts';
import { softmax } from '../../src/ops/softmax.ts';
import type { Graph } from '../../src/runtime/graph.ts';
import type { Program } from '../../src/runtime/program.ts';
import type { Tensor } from '../../src/runtime/tensor.ts';

export type ShapeSet = 'small' | 'gpt1';
export type Pass = 'fwd' | 'bwd' | 'step';

/** What a case recorded: the dispatches to time ([from, to) of the graph) and their work. */
export interface CaseWork {
  flops: number;
  bytes: number;
  from: number;
  to: number;
  /** Host data beyond the random f32 fill (token ids, targets, optimizer scalars). */
  init?: (program: Program, random: RandomU32) => void;
}

export interface KernelCase {
  op: string;
  pass: Pass;
  variant: string;
  shape: string;
  build: (g: Graph) => CaseWork;
}

export type RandomU32 = (n: number, below: number) => Uint32Array<ArrayBuffer>;

const F32 = 4;

/** Records `forward`, then (for 'bwd') its backward with an unwritten upstream gradient: times one or the other. */
function fwdOrBwd(g: Graph, pass: Pass, forward: () => Tensor): { from: number; to: number } {
  const out = forward();
  const mid = g.nodes.length;
  if (pass === 'fwd') return { from: 0, to: mid };
  g.backward(out, () => {}); // no seed dispatch: grad(out) holds whatever its buffer holds
  return { from: mid, to: g.nodes.length };
}

function matmulCase(variant: MatmulVariant, M: number, K: number, N: number, transB = false, note = ''): KernelCase {
  return {
    op: 'matmul',
    pass: 'fwd',
    variant,
    shape: `${M}x${K}x${N}${transB ? ' transB' : ''}${note}`,
    build: (g) => {
      const a = g.input('a', [M, K]);
      const b = g.input('b', transB ? [N, K] : [K, N]);
      matmul(g, a, b, { variant, transB });
      // 2MNK FLOPs; read A [M,K] and B [K,N], write C [M,N].
      return { flops: 2 * M * N * K, bytes: F32 * (M * K + K * N + M * N), from: 0, to: g.nodes.length };
    },
  };
}

function layernormCase(pass: Pass, N: number, C: number): KernelCase {
  return {
    op: 'layernorm',
    pass,
    variant: 'default',
    shape: `${N}x${C}`,
    build: (g) => {
      const range = fwdOrBwd(g, pass, () => layernorm(g, g.param('x', [N, C]), g.param('w', [C]), g.param('b', [C])));
      // fwd: mean (C), variance (3C), normalize and affine (4C) per row; read x, write out, mean, rstd.
      // bwd: dinp (~10C per row) and dweight/dbias partials (~4C); read dout and x, write dinp (+ C-sized grads).
      return pass === 'fwd'
        ? { flops: 8 * N * C, bytes: F32 * (2 * N * C + 2 * N + 2 * C), ...range }
        : { flops: 14 * N * C, bytes: F32 * (3 * N * C + 2 * N + 3 * C), ...range };
    },
  };
}

function softmaxCase(pass: Pass, rows: number, T: number): KernelCase {
  return {
    op: 'softmax',
    pass,
    variant: 'causal',
    shape: `${rows}x${T}x${T}`,
    build: (g) => {
      const n = rows * T * T;
      const range = fwdOrBwd(g, pass, () =>
        softmax(g, g.param('scores', [rows, T, T]), { causal: true, scale: 0.125 }),
      );
      // fwd: scale+mask, max, exp, sum, divide ~5 per element; read scores, write probs.
      // bwd: dot(out, dout) per row, then out * (dout - dot) ~4 per element; read out and dout, write dinp.
      return pass === 'fwd'
        ? { flops: 5 * n, bytes: F32 * 2 * n, ...range }
        : { flops: 4 * n, bytes: F32 * 3 * n, ...range };
    },
  };
}

function attentionCase(pass: Pass, B: number, NH: number, T: number, hs: number): KernelCase {
  const C = NH * hs;
  return {
    op: 'attention',
    pass,
    variant: 'fused causal',
    shape: `B${B} NH${NH} T${T} hs${hs}`,
    build: (g) => {
      const range = fwdOrBwd(g, pass, () => attention(g, g.param('qkv', [B, T, 3 * C]), { B, T, C, NH }));
      // FlashAttention's convention, halved for the causal mask: forward QK^T and PV are 2 * 2*T*T*hs per
      // head, /2 causal; backward is 2.5x forward (recomputed scores, dV, dP, dQ, dK).
      const fwdFlops = 2 * B * NH * T * T * hs;
      const stats = B * NH * T * 2;
      // fwd: read qkv, write out and stats; bwd: read qkv, out, stats, dout, write dqkv.
      return pass === 'fwd'
        ? { flops: fwdFlops, bytes: F32 * (B * T * 3 * C + B * T * C + stats), ...range }
        : { flops: 2.5 * fwdFlops, bytes: F32 * (2 * B * T * 3 * C + 2 * B * T * C + stats), ...range };
    },
  };
}

function crossentropyCase(R: number, V: number, note = ''): KernelCase {
  return {
    op: 'crossentropy',
    pass: 'fwd',
    variant: 'default',
    shape: `${R}x${V}${note}`,
    build: (g) => {
      const logits = g.input('logits', [R, V]);
      const targets = g.input('targets', [R], 'u32');
      const losses = g.activation('losses', [R], false);
      const lse = g.activation('lse', [R], false);
      crossEntropyForwardChunk(g, { logits, targets, losses, lse });
      // max, exp-sum (max, subtract, exp, add) ~4 per logit; read logits once, targets, write losses and lse.
      return {
        flops: 4 * R * V,
        bytes: F32 * (R * V + 3 * R),
        from: 0,
        to: g.nodes.length,
        init: (program, random) => program.write(targets, random(R, V)),
      };
    },
  };
}

function geluCase(pass: Pass, n: number): KernelCase {
  return {
    op: 'gelu',
    pass,
    variant: 'tanh',
    shape: `n=${n}`,
    build: (g) => {
      const range = fwdOrBwd(g, pass, () => gelu(g, g.param('x', [n])));
      // fwd: tanh form ~12 per element, read x, write y; bwd: derivative ~20 per element, read x and dout, write dx.
      return pass === 'fwd'
        ? { flops: 12 * n, bytes: F32 * 2 * n, ...range }
        : { flops: 20 * n, bytes: F32 * 3 * n, ...range };
    },
  };
}

function embeddingCase(pass: Pass, B: number, T: number, C: number, V: number): KernelCase {
  return {
    op: 'embedding',
    pass,
    variant: pass === 'bwd' ? 'sorted index' : 'default',
    shape: `B${B} T${T} C${C} V${V}`,
    build: (g) => {
      const ids = g.input('ids', [B, T], 'u32');
      let emb: Embedding | undefined;
      const range = fwdOrBwd(g, pass, () => {
        emb = embedding(g, ids, g.param('wte', [V, C]), g.param('wpe', [T, C]));
        return emb.out;
      });
      const n = B * T * C;
      // fwd: out = wte[id] + wpe[t], 1 add per element; read two rows and the id, write out.
      // bwd: dwpe and dwte sums of dout (1 add per element each); read dout twice, clear dwte, write dwpe.
      return {
        ...(pass === 'fwd'
          ? { flops: n, bytes: F32 * (3 * n + B * T) }
          : { flops: 2 * n, bytes: F32 * (2 * n + V * C + T * C + 3 * B * T) }),
        ...range,
        init: (program, random) => prepareEmbeddingIndex(program, emb!, random(B * T, V)),
      };
    },
  };
}

function adamwCase(): KernelCase {
  const config = PRESETS.gpt1;
  const table = parameterTable(config);
  const n = table.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  return {
    op: 'adamw',
    pass: 'step',
    variant: 'clip 1.0',
    shape: `${(n / 1e6).toFixed(1)}M params (${table.length} tensors)`,
    build: (g) => {
      const pgs = table.map((spec) => {
        const param = g.param(spec.name, spec.shape);
        return { param, grad: g.grad(param) };
      });
      const opt = adamw(g, pgs, { maxGradNorm: 1 });
      // Global norm: 2 per element, read grad. Update: ~14 per element, read param, grad, m, v, write param, m, v.
      return {
        flops: 16 * n,
        bytes: F32 * 8 * n,
        from: 0,
        to: g.nodes.length,
        init: (program) => program.write(opt.optState, opt.optStateFor(1, 1e-4)),
      };
    },
  };
}

const VARIANTS = Object.keys(MATMUL_VARIANTS) as MatmulVariant[];

export function kernelCases(shapes: ShapeSet): KernelCase[] {
  if (shapes === 'small') {
    // Sized for SwiftShader (~0.3 GFLOP/s on two cores): the whole set runs in about a minute.
    return [
      ...VARIANTS.flatMap((v) => [
        matmulCase(v, 128, 128, 128),
        matmulCase(v, 256, 256, 256),
        matmulCase(v, 256, 64, 256, true),
      ]),
      ...(['fwd', 'bwd'] as const).flatMap((p) => [
        layernormCase(p, 1024, 64),
        softmaxCase(p, 16, 64),
        attentionCase(p, 4, 4, 64, 16),
        geluCase(p, 65536),
        embeddingCase(p, 16, 64, 64, 256),
      ]),
      crossentropyCase(1024, 256),
    ];
  }
  const { nEmbd: C, nInner, nHead, vocabSize: V } = PRESETS.gpt1;
  const BT = 8 * 512;
  const chunk = lmHeadChunkRows(BT, V);
  return [
    ...VARIANTS.flatMap((v) => [
      matmulCase(v, 4096, 4096, 4096),
      matmulCase(v, BT, C, 3 * C, false, ' (c_attn)'),
      matmulCase(v, BT, C, nInner, false, ' (c_fc)'),
      matmulCase(v, BT, C, C, false, ' (attn c_proj)'),
      matmulCase(v, BT, nInner, C, false, ' (mlp c_proj)'),
      matmulCase(v, BT, C, V, true, ' (LM head)'),
      matmulCase(v, chunk, C, V, true, ' (LM head chunk)'),
    ]),
    ...(['fwd', 'bwd'] as const).flatMap((p) => [
      layernormCase(p, BT, C),
      softmaxCase(p, 8 * nHead, 512),
      attentionCase(p, 8, nHead, 512, C / nHead),
      geluCase(p, BT * nInner),
      embeddingCase(p, 8, 512, C, V),
    ]),
    crossentropyCase(chunk, V, ' (LM head chunk)'),
    crossentropyCase(BT, V),
    adamwCase(),
  ];
}
