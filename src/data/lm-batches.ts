// Language-model batches: random contiguous windows of a token stream (GPT-1 trains on contiguous
// 512-token sequences), a held-out validation split, and fixed validation windows so validation loss is
// comparable across steps. Draws come from the run seed's data stream; the cursor is checkpointed.
import { CounterRng } from '../runtime/random.ts';

/** The random stream reserved for training-window positions (see random.ts: one stream per use). */
export const DATA_STREAM = 1;

export interface LmBatch {
  /** [B, T] token ids. */
  inputs: Uint32Array<ArrayBuffer>;
  /** [B, T] next-token targets: inputs shifted left by one. */
  targets: Uint32Array<ArrayBuffer>;
}

export interface TokenSplit {
  train: Uint32Array;
  val: Uint32Array;
}

/** The last `valFraction` of the stream is validation (nanoGPT's split); both keep at least one window. */
export function splitTrainVal(ids: Uint32Array, T: number, valFraction = 0.1): TokenSplit {
  const minimum = 2 * (T + 1);
  if (ids.length < minimum) {
    throw new Error(
      `The corpus has ${ids.length} tokens; context ${T} needs at least ${minimum} (train + validation).`,
    );
  }
  let valLength = Math.max(T + 1, Math.floor(ids.length * valFraction));
  valLength = Math.min(valLength, ids.length - (T + 1));
  const cut = ids.length - valLength;
  return { train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

/** Copies window `start` of length T+1 into row `row` of a batch. */
function fillRow(batch: LmBatch, ids: Uint32Array, start: number, row: number, T: number): void {
  batch.inputs.set(ids.subarray(start, start + T), row * T);
  batch.targets.set(ids.subarray(start + 1, start + T + 1), row * T);
}

export class LmBatchSampler {
  private readonly rng: CounterRng;

  constructor(
    private readonly ids: Uint32Array,
    readonly B: number,
    readonly T: number,
    seed: number,
  ) {
    if (ids.length < T + 1) throw new Error(`${ids.length} tokens cannot fill one window of ${T}+1`);
    this.rng = new CounterRng(seed, DATA_STREAM);
  }

  /** The next batch of B random windows. */
  next(): LmBatch {
    const { B, T } = this;
    const batch: LmBatch = { inputs: new Uint32Array(B * T), targets: new Uint32Array(B * T) };
    const starts = this.ids.length - T; // windows start in [0, length - T - 1]
    for (let b = 0; b < B; b++) fillRow(batch, this.ids, Math.floor(this.rng.next() * starts), b, T);
    return batch;
  }

  /** Position in the data stream; restoring it resumes the same sequence of batches. */
  get cursor(): number {
    return this.rng.position;
  }
  set cursor(value: number) {
    this.rng.position = value;
  }
}

/**
 * Up to `maxBatches` batches of evenly spaced, non-random windows covering the validation split.
 * Fixed windows make validation losses of different steps (and runs) directly comparable.
 */
export function validationBatches(ids: Uint32Array, B: number, T: number, maxBatches: number): LmBatch[] {
  const windows = Math.floor((ids.length - 1) / T);
  if (windows < 1) throw new Error(`${ids.length} validation tokens cannot fill one window of ${T}+1`);
  const count = Math.min(windows, B * maxBatches);
  const stride = Math.floor((ids.length - T - 1) / Math.max(1, count - 1));
  const batches: LmBatch[] = [];
  for (let first = 0; first + B <= Math.max(B, count); first += B) {
    const batch: LmBatch = { inputs: new Uint32Array(B * T), targets: new Uint32Array(B * T) };
    // When the split holds fewer than B windows, rows wrap around to repeat windows.
    for (let row = 0; row < B; row++) fillRow(batch, ids, ((first + row) % count) * stride, row, T);
    batches.push(batch);
    if (batches.length === maxBatches) break;
  }
  return batches;
}
