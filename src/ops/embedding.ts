// GPT-1's input embedding, HF semantics: out[b,t,:] = wte[ids[b,t],:] + wpe[t,:] (+ wte[token_type_ids[b,t],:]).
// float64 CPU reference, the host-built index that makes the dwte scatter-add atomic-free, and the graph op.
// Kernel: shaders/embedding.wgsl.
//
// Per step the caller uploads the ids (and token type ids) AND the dwte index built from them, with
// prepareEmbeddingIndex(program, emb, ids, tokenTypeIds): the index tensors have fixed sizes (B*T entries,
// 2*B*T with token types) so the graph is static; groups past the distinct-token count are empty.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid, workgroups1d } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Program } from '../runtime/program.ts';
import { assertShape, type Tensor } from '../runtime/tensor.ts';
import { fill } from './fill.ts';

export const EMBEDDING_FORWARD = kernel('embedding.wgsl', 'embedding_forward', ['ids', 'wte', 'wpe', 'out']);
export const EMBEDDING_FORWARD_TYPED = kernel('embedding.wgsl', 'embedding_forward_typed', [
  'ids',
  'token_type_ids',
  'wte',
  'wpe',
  'out',
]);
export const EMBEDDING_BACKWARD_WPE = kernel('embedding.wgsl', 'embedding_backward_wpe', ['dout', 'dwpe']);
export const EMBEDDING_BACKWARD_WTE = kernel('embedding.wgsl', 'embedding_backward_wte', [
  'dout',
  'dwte',
  'index_pos',
  'index_token',
  'index_start',
]);

/** out[b,t,:] = wte[ids[b,t],:] + wpe[t,:] (+ wte[tokenTypeIds[b,t],:]). Returns [B, T, C]. */
export function embeddingForwardRef(
  ids: Uint32Array, // [B, T]
  tokenTypeIds: Uint32Array | null, // [B, T]
  wte: Float64Array, // [V, C]
  wpe: Float64Array, // [maxT, C]
  B: number,
  T: number,
  C: number,
): Float64Array {
  const out = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const bt = b * T + t;
      const ix = ids[bt]!;
      for (let c = 0; c < C; c++) {
        let v = wte[ix * C + c]! + wpe[t * C + c]!;
        if (tokenTypeIds) v += wte[tokenTypeIds[bt]! * C + c]!;
        out[bt * C + c] = v;
      }
    }
  }
  return out;
}

/** Gradients of the embedding: dwte [V, C] (scatter-add over ids and token type ids), dwpe [maxT, C]. */
export function embeddingBackwardRef(
  dout: Float64Array, // [B, T, C]
  ids: Uint32Array, // [B, T]
  tokenTypeIds: Uint32Array | null, // [B, T]
  B: number,
  T: number,
  C: number,
  V: number,
  maxT: number,
): { dwte: Float64Array; dwpe: Float64Array } {
  const dwte = new Float64Array(V * C);
  const dwpe = new Float64Array(maxT * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const bt = b * T + t;
      const ix = ids[bt]!;
      for (let c = 0; c < C; c++) {
        const d = dout[bt * C + c]!;
        dwte[ix * C + c]! += d;
        dwpe[t * C + c]! += d;
        if (tokenTypeIds) dwte[tokenTypeIds[bt]! * C + c]! += d;
      }
    }
  }
  return { dwte, dwpe };
}

/** The dwte scatter index for one step: what embedding_backward_wte reads. */
export interface EmbeddingIndex {
  /** [M] positions b*T+t grouped by token id, ascending token, stable (ids' entries, then token types'). */
  pos: Uint32Array<ArrayBuffer>;
  /** [M] token id of group k, for k < count; 0 past it. */
  token: Uint32Array<ArrayBuffer>;
  /** [M+1] group k covers pos[start[k]..start[k+1]); M past the count, so those groups are empty. */
  start: Uint32Array<ArrayBuffer>;
  /** Number of distinct tokens. */
  count: number;
}

/**
 * Builds the index from the host's ids (counting sort, stable, O(M + V)). With token type ids, each position
 * contributes twice: to its token's row and to its token type's row (M = 2 * B*T).
 */
export function buildEmbeddingIndex(ids: Uint32Array, V: number, tokenTypeIds?: Uint32Array): EmbeddingIndex {
  const N = ids.length;
  if (tokenTypeIds && tokenTypeIds.length !== N) {
    throw new Error(`buildEmbeddingIndex: ${tokenTypeIds.length} token type ids for ${N} ids`);
  }
  const M = tokenTypeIds ? 2 * N : N;
  const key = (e: number): number => (e < N ? ids[e]! : tokenTypeIds![e - N]!);
  const counts = new Uint32Array(V + 1);
  for (let e = 0; e < M; e++) {
    const k = key(e);
    if (k >= V) {
      const what = e < N ? `ids[${e}]` : `token_type_ids[${e - N}]`;
      throw new Error(`embedding: ${what} = ${k} is outside the vocabulary (V = ${V})`);
    }
    counts[k + 1]!++;
  }
  // counts -> first slot of each token in pos (exclusive prefix sum).
  for (let v = 0; v < V; v++) counts[v + 1]! += counts[v]!;
  const token = new Uint32Array(M);
  const start = new Uint32Array(M + 1).fill(M);
  let count = 0;
  for (let v = 0; v < V; v++) {
    if (counts[v + 1]! > counts[v]!) {
      token[count] = v;
      start[count] = counts[v]!;
      count++;
    }
  }
  const pos = new Uint32Array(M);
  for (let e = 0; e < M; e++) pos[counts[key(e)]!++] = e % N;
  return { pos, token, start, count };
}

/** What an embedding op returns: the output, and what prepareEmbeddingIndex needs each step. */
export interface Embedding {
  out: Tensor; // [B, T, C]
  ids: Tensor; // [B, T] u32
  tokenTypeIds: Tensor | undefined; // [B, T] u32
  V: number;
  /** The dwte index tensors, created when backward into wte is recorded. */
  index: { pos: Tensor; token: Tensor; start: Tensor } | undefined;
}

/**
 * Records the embedding of `ids` [B, T] (u32) with token table wte [V, C] and position table wpe [maxT, C].
 * Before each run, upload the step's ids with prepareEmbeddingIndex (it also writes the backward index).
 */
export function embedding(
  g: Graph,
  ids: Tensor,
  wte: Tensor,
  wpe: Tensor,
  options: { tokenTypeIds?: Tensor } = {},
): Embedding {
  const { tokenTypeIds } = options;
  const [B, T] = ids.shape as [number, number];
  const [V, C] = wte.shape as [number, number];
  const maxT = wpe.shape[0]!;
  if (ids.shape.length !== 2 || ids.dtype !== 'u32') throw new Error(`embedding: ids must be u32 [B, T], got ${ids}`);
  assertShape(wte, [V, C], 'embedding');
  assertShape(wpe, [maxT, C], 'embedding');
  if (T > maxT) throw new Error(`embedding: T = ${T} exceeds the ${maxT} positions of ${wpe.name}`);
  if (tokenTypeIds) {
    assertShape(tokenTypeIds, [B, T], 'embedding');
    if (tokenTypeIds.dtype !== 'u32') throw new Error(`embedding: ${tokenTypeIds} must be u32`);
  }
  const out = g.activation(`embedding(${ids.name})`, [B, T, C], wte.requiresGrad || wpe.requiresGrad); // [B, T, C]
  const n = B * T * C;
  if (tokenTypeIds) {
    g.dispatch(
      EMBEDDING_FORWARD_TYPED,
      { ids, token_type_ids: tokenTypeIds, wte, wpe, out },
      { B, T, C },
      threadGrid(EMBEDDING_FORWARD_TYPED, n),
    );
  } else {
    g.dispatch(EMBEDDING_FORWARD, { ids, wte, wpe, out }, { B, T, C }, threadGrid(EMBEDDING_FORWARD, n));
  }
  const emb: Embedding = { out, ids, tokenTypeIds, V, index: undefined };

  g.onBackward([out], () => {
    const dout = g.grad(out);
    if (wpe.requiresGrad) {
      const { grad: dwpe, accumulate } = g.gradWrite(wpe);
      const grid = threadGrid(EMBEDDING_BACKWARD_WPE, maxT * C);
      g.dispatch(EMBEDDING_BACKWARD_WPE, { dout, dwpe }, { B, T, C, maxT, accumulate }, grid);
    }
    if (wte.requiresGrad) {
      const M = tokenTypeIds ? 2 * B * T : B * T;
      const index = {
        pos: g.input(`${out.name}.index_pos`, [M], 'u32'), // [M]
        token: g.input(`${out.name}.index_token`, [M], 'u32'), // [M]
        start: g.input(`${out.name}.index_start`, [M + 1], 'u32'), // [M + 1]
      };
      emb.index = index;
      const { grad: dwte, accumulate } = g.gradWrite(wte);
      // Unused vocabulary rows have zero gradient: clear the whole table, then write the rows present.
      if (accumulate === 0) fill(g, dwte, 0);
      g.dispatch(
        EMBEDDING_BACKWARD_WTE,
        { dout, dwte, index_pos: index.pos, index_token: index.token, index_start: index.start },
        { C, M, accumulate },
        workgroups1d(M, 1),
      );
    }
  });
  return emb;
}

/**
 * Uploads one step's ids [B*T] (and token type ids) and, when backward into wte was recorded, the dwte index
 * built from them. Throws, before writing anything, when an id is outside the vocabulary.
 */
export function prepareEmbeddingIndex(
  program: Program,
  emb: Embedding,
  ids: Uint32Array<ArrayBuffer>,
  tokenTypeIds?: Uint32Array<ArrayBuffer>,
): EmbeddingIndex {
  if (!emb.tokenTypeIds !== !tokenTypeIds) {
    throw new Error(`prepareEmbeddingIndex: the op was built ${emb.tokenTypeIds ? 'with' : 'without'} token type ids`);
  }
  const index = buildEmbeddingIndex(ids, emb.V, tokenTypeIds); // validates every id against V
  program.write(emb.ids, ids);
  if (emb.tokenTypeIds && tokenTypeIds) program.write(emb.tokenTypeIds, tokenTypeIds);
  if (emb.index) {
    program.write(emb.index.pos, index.pos);
    program.write(emb.index.token, index.token);
    program.write(emb.index.start, index.start);
  }
  return index;
}
