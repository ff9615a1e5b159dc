// The tied LM head fused with softmax cross-entropy, over row chunks: logits = h @ wte^T for R rows at a
// time, so logits for a whole batch (GPT-1: 8 x 512 x 40,478 floats = 663 MB) never exist at once.
// Forward writes per-row losses and their mean; backward recomputes each chunk's logits (one extra
// matmul, instead of keeping all logits alive), turns them into dlogits in place, and accumulates
// dh = dlogits @ wte and dwte += dlogits^T @ h chunk by chunk.
import {
  crossEntropyBackwardChunk,
  crossEntropyForwardChunk,
  crossEntropyMeanDispatch,
  crossEntropyRowDloss,
} from '../ops/crossentropy.ts';
import { matmulDispatch } from '../ops/matmul.ts';
import type { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';

/** Largest logits chunk, in floats: 16 Mi floats = 64 MiB, well inside the default 128 MiB binding. */
export const DEFAULT_CHUNK_FLOATS = 16 * 1024 * 1024;

export interface LmLoss {
  /** [N] per-row losses (0 for ignored targets). */
  losses: Tensor;
  /** [1] mean over rows with a valid target. */
  mean: Tensor;
  /** [1] number of valid rows. */
  count: Tensor;
  chunkRows: number;
}

/** Rows per chunk: as many as fit `chunkFloats`, a multiple of 64 when more than 64 fit. */
export function lmHeadChunkRows(N: number, V: number, chunkFloats = DEFAULT_CHUNK_FLOATS): number {
  const fit = Math.max(1, Math.floor(chunkFloats / V));
  const rows = fit >= 64 ? fit - (fit % 64) : fit;
  return Math.min(N, rows);
}

/**
 * Mean next-token loss of hidden states h [..., C] (N rows) against targets [N] u32 (0xFFFFFFFF = ignore),
 * with the output layer tied to wte [V, C]. Backward starts from grad(mean), which the caller seeds (1, or λ
 * when this is GPT-1's auxiliary L1 in L2 + λ·L1).
 */
export function lmHeadLoss(
  g: Graph,
  h: Tensor,
  wte: Tensor,
  targets: Tensor,
  options: { chunkRows?: number } = {},
): LmLoss {
  const [V, C] = wte.shape as [number, number];
  const N = h.size / C;
  if (h.shape.at(-1) !== C || !Number.isInteger(N)) throw new Error(`lmHeadLoss: ${h} does not end in C = ${C}`);
  if (targets.size !== N || targets.dtype !== 'u32') throw new Error(`lmHeadLoss: ${targets} must be [${N}] u32`);
  const R = options.chunkRows ?? lmHeadChunkRows(N, V);
  const chunks = Array.from({ length: Math.ceil(N / R) }, (_, i) => ({ start: i * R, rows: Math.min(R, N - i * R) }));
  const requiresGrad = h.requiresGrad || wte.requiresGrad;
  const losses = g.activation(`lm_losses(${h.name})`, [N], requiresGrad); // [N]
  const lse = g.activation(`lm_lse(${h.name})`, [N], false); // [N]
  const logitsFor = new Map<number, Tensor>();
  const logitsTensor = (rows: number, tag: string) => {
    const key = rows * 2 + (tag === 'bwd' ? 1 : 0);
    let t = logitsFor.get(key);
    if (!t) {
      t = g.activation(`lm_logits_${tag}[${rows}x${V}]`, [rows, V], false); // [R, V]
      logitsFor.set(key, t);
    }
    return t;
  };
  const recordLogits = (start: number, rows: number, out: Tensor) =>
    // logits[R, V] = h[start:start+R, C] @ wte[V, C]^T
    matmulDispatch(
      g,
      { a: h, b: wte, out },
      { M: rows, N: V, K: C, transB: true, aOffset: start * C },
      {
        label: `lm_head rows ${start}+${rows}`,
      },
    );

  for (const { start, rows } of chunks) {
    const logits = logitsTensor(rows, 'fwd');
    recordLogits(start, rows, logits);
    crossEntropyForwardChunk(g, { logits, targets, losses, lse, rowOffset: start });
  }
  const mean = g.activation(`lm_loss(${h.name})`, [1], requiresGrad); // [1]
  const count = g.activation(`lm_count(${h.name})`, [1], false); // [1]
  crossEntropyMeanDispatch(g, { losses, targets, mean, count, V });

  g.onBackward([mean], () => {
    const dloss = g.grad(losses); // [N]
    const { accumulate: lossAccumulate } = g.gradWrite(losses);
    crossEntropyRowDloss(g, { targets, dmean: g.grad(mean), dloss, V, scale: 1, accumulate: lossAccumulate });
    const dh = h.requiresGrad ? g.gradWrite(h) : undefined;
    const dwte = wte.requiresGrad ? g.gradWrite(wte) : undefined;
    chunks.forEach(({ start, rows }, i) => {
      const logits = logitsTensor(rows, 'bwd');
      recordLogits(start, rows, logits);
      crossEntropyBackwardChunk(g, { logits, targets, lse, dloss, rowOffset: start }); // logits -> dlogits
      if (dh) {
        // dh[start:start+R, C] = dlogits[R, V] @ wte[V, C]; chunks own disjoint rows.
        matmulDispatch(
          g,
          { a: logits, b: wte, out: dh.grad },
          { M: rows, N: C, K: V, cOffset: start * C, accumulate: dh.accumulate },
          { label: `lm_head.dh rows ${start}+${rows}` },
        );
      }
      if (dwte) {
        // dwte[V, C] (+)= dlogits[R, V]^T @ h[start:start+R, C]
        matmulDispatch(
          g,
          { a: logits, b: h, out: dwte.grad },
          { M: V, N: C, K: rows, transA: true, bOffset: start * C, accumulate: i === 0 ? dwte.accumulate : 1 },
          { label: `lm_head.dwte rows ${start}+${rows}` },
        );
      }
    });
  });
  return { losses, mean, count, chunkRows: R };
}
