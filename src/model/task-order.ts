// The order in which fine-tuning visits its examples: a fresh seeded permutation per epoch, consumed in
// batches, with a cursor (epoch, position) that a checkpoint saves so a resumed run sees the same batches.
// Each epoch's permutation depends only on (seed, epoch), so resuming needs no replay of earlier epochs.
import { CounterRng, randomU32 } from '../runtime/random.ts';

/** The random stream reserved for task-example order (random.ts: one stream per use; 'task'). */
export const TASK_ORDER_STREAM = 0x7461736b;

export interface TaskCursor {
  epoch: number;
  /** Examples of this epoch already handed out. */
  position: number;
}

export interface TaskOrderOptions {
  /** false: every epoch in file order (evaluation). Default true. */
  shuffle?: boolean;
  /** Skip an epoch's last, partial batch (OpenAI's train.py does, with iter_data truncate=True). */
  dropLast?: boolean;
}

export interface TaskOrderBatch {
  epoch: number;
  /** Example indices; fewer than asked only for the last batch of an epoch. */
  indices: number[];
}

export class TaskOrder {
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private epoch = 0;
  private position = 0;
  private cached: { epoch: number; perm: Uint32Array } | undefined;

  constructor(
    readonly count: number,
    readonly seed: number,
    options: TaskOrderOptions = {},
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`A task order needs at least one example, not ${count}.`);
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? false;
  }

  /** Fisher-Yates over 0..count-1 from the epoch's own seed (24-bit draws: exact below 2^24 examples). */
  permutation(epoch: number): Uint32Array {
    if (this.cached?.epoch === epoch) return this.cached.perm;
    const perm = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) perm[i] = i;
    if (this.shuffle) {
      const rng = new CounterRng(randomU32(this.seed, TASK_ORDER_STREAM, epoch), TASK_ORDER_STREAM);
      for (let i = this.count - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
      }
    }
    this.cached = { epoch, perm };
    return perm;
  }

  /** Batches per epoch for batch size B. */
  batchesPerEpoch(B: number): number {
    return this.dropLast ? Math.floor(this.count / B) : Math.ceil(this.count / B);
  }

  /** The next up-to-B examples; a batch never spans two epochs. */
  next(B: number): TaskOrderBatch {
    if (!Number.isInteger(B) || B < 1) throw new Error(`Batch size must be a positive integer, not ${B}.`);
    if (this.dropLast && B > this.count) throw new Error(`Batch size ${B} exceeds the ${this.count} examples.`);
    if (this.position >= this.count || (this.dropLast && this.count - this.position < B)) this.advanceEpoch();
    const take = Math.min(B, this.count - this.position);
    const perm = this.permutation(this.epoch);
    const batch = { epoch: this.epoch, indices: Array.from(perm.subarray(this.position, this.position + take)) };
    this.position += take;
    if (this.position >= this.count) this.advanceEpoch();
    return batch;
  }

  get cursor(): TaskCursor {
    return { epoch: this.epoch, position: this.position };
  }

  set cursor(value: TaskCursor) {
    const { epoch, position } = value;
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(position) || position < 0 || position > this.count) {
      throw new Error(`Invalid task cursor (epoch ${epoch}, position ${position}) for ${this.count} examples.`);
    }
    this.epoch = epoch;
    this.position = position;
    if (position === this.count) this.advanceEpoch();
  }

  private advanceEpoch(): void {
    this.epoch++;
    this.position = 0;
  }
}
