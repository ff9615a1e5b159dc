// Deterministic random host data for benchmarks: kernels see realistic values (not the zeros of fresh
// buffers, which some GPUs process faster) and token ids below the vocabulary size.
import type { Program } from '../src/runtime/program.ts';
import type { StorageClass } from '../src/runtime/tensor.ts';

/** xorshift32: fast and good enough for benchmark data. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/** `n` ids uniform in [0, below). */
export function randomU32(n: number, below: number, seed = 1): Uint32Array<ArrayBuffer> {
  const next = generator(seed);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() % below;
  return out;
}

/** `n` values uniform in [-scale, scale). */
export function randomF32(n: number, scale = 1, seed = 2): Float32Array<ArrayBuffer> {
  const next = generator(seed);
  const out = new Float32Array(n);
  const k = (2 * scale) / 2 ** 32;
  for (let i = 0; i < n; i++) out[i] = next() * k - scale;
  return out;
}

/** Writes random values into every f32 tensor of the given storage classes that the program holds. */
export function fillRandom(program: Program, classes: readonly StorageClass[], scale = 1): void {
  let seed = 3;
  for (const t of program.graph.tensors) {
    if (t.dtype !== 'f32' || !classes.includes(t.storage) || !program.holds(t)) continue;
    program.write(t, randomF32(t.size, scale, seed++));
  }
}
