// The kernel benchmark cases: one op at one shape, forward or backward, with the work it does.
// FLOPs count the arithmetic a straightforward implementation needs (multiply-add = 2); bytes count the
// minimum traffic (each input read once, each output written once, f32), so GB/s is a lower bound on
// the bandwidth a kernel achieved and GFLOP/s compares directly across variants of one op.
import { PRESETS } from '../../src/model/config.ts';
import { lmHeadChunkRows } from '../../src/model/lm-head.ts';
import { parameterTable } from '../../src/model/params.ts';
import { adamw } from '../../src/ops/adamw.ts';
import { ATTENTION_BLOCKS, ATTENTION_DEFAULT_BLOCK, attention } from '../../src/ops/attention.ts';
import { crossEntropyForwardChunk } from '../../src/ops/crossentropy.ts';
import { type Embedding, embedding, prepareEmbeddingIndex } from '../../src/ops/embedding.ts';
import { gelu } from '../../src/ops/gelu.ts';
import { layernorm } from '../../src/ops/layernorm.ts';
import { MATMUL_VARIANTS, type MatmulVariant, matmul, matmulSplitKDispatch } from '../../src/ops/matmul.ts';
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

/** A matmul case's product, so a baseline (cuBLAS in bench/native/cublas_matmul.py) can run the same one. */
export interface MatmulShape {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
}

export interface KernelCase {
  op: string;
  pass: Pass;
  variant: string;
  shape: string;
  matmul?: MatmulShape;
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

/** The shape label of a product: M x K x N, the stored transposes, and what it is in GPT-1. */
function matmulLabel({ M, K, N, transA, transB }: MatmulShape, note: string): string {
  return `${M}x${K}x${N}${transA ? ' transA' : ''}${transB ? ' transB' : ''}${note ? ` (${note})` : ''}`;
}

function matmulCase(variant: MatmulVariant, dims: MatmulShape, note = ''): KernelCase {
  const { M, K, N, transA, transB } = dims;
  return {
    op: 'matmul',
    pass: 'fwd',
    variant,
    shape: matmulLabel(dims, note),
    matmul: dims,
    build: (g) => {
      const a = g.input('a', transA ? [K, M] : [M, K]);
      const b = g.input('b', transB ? [N, K] : [K, N]);
      matmul(g, a, b, { variant, transA, transB });
      // 2MNK FLOPs; read A [M,K] and B [K,N], write C [M,N].
      return { flops: 2 * M * N * K, bytes: F32 * (M * K + K * N + M * N), from: 0, to: g.nodes.length };
    },
  };
}

/**
 * A weight gradient's product (A stored [K, M], B [K, N]) split into `slices` K slices: the slices' batched
 * product (default variant) and the fixed-order sum, timed together (src/ops/matmul-splitk.ts).
 */
function splitKCase(dims: MatmulShape, slices: number, note = ''): KernelCase {
  const { M, K, N } = dims;
  if (!dims.transA || dims.transB) throw new Error('split-K cases are weight gradients: transA, not transB');
  return {
    op: 'matmul',
    pass: 'fwd',
    variant: `split-K ${slices}`,
    shape: matmulLabel(dims, note),
    matmul: dims,
    build: (g) => {
      const a = g.input('a', [K, M]);
      const b = g.input('b', [K, N]);
      matmulSplitKDispatch(g, { a, b, out: g.activation('out', [M, N], false) }, { M, N, K }, slices);
      // The product's FLOPs and minimum traffic, as matmulCase (the partials' round trip is overhead).
      return { flops: 2 * M * N * K, bytes: F32 * (M * K + K * N + M * N), from: 0, to: g.nodes.length };
    },
  };
}

/** The three products of a linear layer y[R, N] = x[R, K] @ W[K, N]: forward, dx = dy W^T, dW = x^T dy. */
function linearProducts(R: number, K: number, N: number, name: string): [MatmulShape, string][] {
  const plain = { transA: false, transB: false };
  return [
    [{ M: R, K, N, ...plain }, name],
    [{ M: R, K: N, N: K, transA: false, transB: true }, `${name} dx`],
    [{ M: K, K: R, N, transA: true, transB: false }, `${name} dW`],
  ];
}

/**
 * The tied LM head over R rows: logits = h wte^T, dh = dlogits wte, dwte = dlogits^T h. Training runs it in
 * row chunks (src/model/lm-head.ts); the whole batch is the issue's 4096 x 768 x 40,478 and its transposes.
 */
function lmHeadProducts(R: number, C: number, V: number, name: string): [MatmulShape, string][] {
  return [
    [{ M: R, K: C, N: V, transA: false, transB: true }, name],
    [{ M: R, K: V, N: C, transA: false, transB: false }, `${name} dh`],
    [{ M: V, K: R, N: C, transA: true, transB: false }, `${name} dwte`],
  ];
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

function attentionCase(pass: Pass, B: number, NH: number, T: number, hs: number, block: number): KernelCase {
  const C = NH * hs;
  return {
    op: 'attention',
    pass,
    variant: block === ATTENTION_DEFAULT_BLOCK ? 'fused causal' : `fused causal, block ${block}`,
    shape: `B${B} NH${NH} T${T} hs${hs}`,
    build: (g) => {
      const range = fwdOrBwd(g, pass, () => attention(g, g.param('qkv', [B, T, 3 * C]), { B, T, C, NH, block }));
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
    const plain = { transA: false, transB: false };
    const products: [MatmulShape, string][] = [
      [{ M: 128, K: 128, N: 128, ...plain }, ''],
      [{ M: 256, K: 256, N: 256, ...plain }, ''],
      [{ M: 256, K: 64, N: 256, transA: false, transB: true }, ''],
      // A weight gradient's shape: small M x N, the long K of batch x context.
      [{ M: 64, K: 1024, N: 64, transA: true, transB: false }, 'dW'],
    ];
    return [
      ...VARIANTS.flatMap((v) => products.map(([dims, note]) => matmulCase(v, dims, note))),
      splitKCase(products[3]![0], 4, products[3]![1]),
      ...(['fwd', 'bwd'] as const).flatMap((p) => [
        layernormCase(p, 1024, 64),
        softmaxCase(p, 16, 64),
        ...ATTENTION_BLOCKS.map((block) => attentionCase(p, 4, 4, 64, 16, block)),
        geluCase(p, 65536),
        embeddingCase(p, 16, 64, 64, 256),
      ]),
      crossentropyCase(1024, 256),
    ];
  }
  const { nEmbd: C, nInner, nHead, vocabSize: V } = PRESETS.gpt1;
  const BT = 8 * 512;
  const chunk = lmHeadChunkRows(BT, V);
  const products: [MatmulShape, string][] = [
    [{ M: 4096, K: 4096, N: 4096, transA: false, transB: false }, ''],
    ...linearProducts(BT, C, 3 * C, 'c_attn'),
    ...linearProducts(BT, C, nInner, 'c_fc'),
    ...linearProducts(BT, C, C, 'attn c_proj'),
    ...linearProducts(BT, nInner, C, 'mlp c_proj'),
    ...lmHeadProducts(BT, C, V, 'LM head'),
    ...lmHeadProducts(chunk, C, V, 'LM head chunk'),
  ];
  // The weight gradients again, split into 2, 4 and 8 K slices: what sets splitKSlices's rule on a GPU.
  const weightGrads = products.filter(([, note]) => note.endsWith(' dW'));
  return [
    ...VARIANTS.flatMap((v) => products.map(([dims, note]) => matmulCase(v, dims, note))),
    ...weightGrads.flatMap(([dims, note]) => [2, 4, 8].map((s) => splitKCase(dims, s, note))),
    ...(['fwd', 'bwd'] as const).flatMap((p) => [
      layernormCase(p, BT, C),
      softmaxCase(p, 8 * nHead, 512),
      ...ATTENTION_BLOCKS.map((block) => attentionCase(p, 8, nHead, 512, C / nHead, block)),
      geluCase(p, BT * nInner),
      embeddingCase(p, 8, 512, C, V),
    ]),
    crossentropyCase(chunk, V, ' (LM head chunk)'),
    crossentropyCase(BT, V),
    adamwCase(),
  ];
}
