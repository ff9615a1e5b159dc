// A Tensor is a typed, shaped region of GPU memory that a Graph plans and a Program binds.
// At graph-building time it has no buffer: the memory planner assigns (buffer, byte offset) on compile,
// so the whole step's memory is known, and checked against the device, before anything is allocated.

export type DType = 'f32' | 'u32';

/**
 * Where a tensor lives, which decides how long it is kept and how it is laid out:
 * param/grad/moment follow the parameter table; activation and scratch are planned by liveness;
 * input is written by the host each step; state is kept across steps (e.g. RNG counters, loss rings).
 */
export type StorageClass = 'param' | 'grad' | 'moment' | 'activation' | 'input' | 'state';

export const BYTES_PER_ELEMENT = 4; // f32 and u32 alike

let nextId = 0;

/** Longest tensor name kept whole. Ops derive names from their inputs' names, so without a cap names
 * would double with every layer; longer ones are cut and made unique with the tensor id. */
const MAX_NAME = 96;

export class Tensor {
  readonly id = nextId++;
  /** Number of elements. */
  readonly size: number;
  readonly name: string;

  constructor(
    name: string,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly storage: StorageClass,
    /** Whether backward should produce a gradient for this tensor. */
    readonly requiresGrad: boolean,
  ) {
    this.name = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 16)}…#${this.id}` : name;
    for (const dim of shape) {
      if (!Number.isInteger(dim) || dim <= 0) throw new Error(`Tensor ${name}: bad shape [${shape.join(', ')}]`);
    }
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  get bytes(): number {
    return this.size * BYTES_PER_ELEMENT;
  }

  toString(): string {
    return `${this.name}[${this.shape.join('×')}] ${this.dtype}`;
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertShape(t: Tensor, shape: readonly number[], where: string): void {
  if (!sameShape(t.shape, shape)) {
    throw new Error(`${where}: ${t.name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}
