// Counter-based random numbers, bit-identical to shaders/random.wgsl (lowbias32 hash). One run seed
// drives init, data order, dropout and sampling; each use takes its own `stream` so they never overlap.

/** lowbias32 (C. Wellons): a 32-bit integer hash with low bias. */
export function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

export function randomU32(seed: number, stream: number, index: number): number {
  return lowbias32((index + lowbias32((stream + lowbias32(seed)) >>> 0)) >>> 0);
}

/** Uniform in [0, 1) with 24 bits, as the WGSL version. */
export function randomUniform(seed: number, stream: number, index: number): number {
  return (randomU32(seed, stream, index) >>> 8) / 16777216;
}

/** Inverted-dropout multiplier for one element: 0 or 1/(1-p), computed in f32 as the GPU does. */
export function dropoutScale(seed: number, stream: number, index: number, p: number): number {
  if (p <= 0) return 1;
  const keep = Math.fround(1 / Math.fround(1 - Math.fround(p)));
  return randomUniform(seed, stream, index) >= Math.fround(p) ? keep : 0;
}

/** A seeded sequence for the host (init, shuffles, sampling): next() in [0, 1). */
export class CounterRng {
  private counter = 0;
  constructor(
    readonly seed: number,
    readonly stream: number,
  ) {}

  next(): number {
    return randomUniform(this.seed, this.stream, this.counter++);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 2 ** -25);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Position in the sequence, saved in checkpoints so a resumed run continues the same draws. */
  get position(): number {
    return this.counter;
  }
  set position(value: number) {
    this.counter = value;
  }
}
