// Choosing the next token from logits: temperature, top-k, and a seeded draw, so a sample is
// reproducible from (seed, prompt, settings). Plain host code over one row of logits.
import { CounterRng } from '../runtime/random.ts';

/** The random stream of sampling draws (see random.ts: one stream per use of a seed). */
export const SAMPLE_STREAM = 3;

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy). */
  temperature: number;
  /** Keep the k most likely tokens; 0 keeps all. */
  topK: number;
}

/** The next token id from `logits` [V]; `rng` supplies the draw (unused when greedy). */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: CounterRng): number {
  const V = logits.length;
  let best = 0;
  for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
  if (options.temperature <= 0) return best;
  let order = Array.from({ length: V }, (_, i) => i);
  if (options.topK > 0 && options.topK < V) {
    order.sort((a, b) => logits[b]! - logits[a]! || a - b);
    order = order.slice(0, options.topK);
  }
  const max = logits[best]!;
  const weights = order.map((i) => Math.exp((logits[i]! - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let k = 0; k < order.length; k++) {
    u -= weights[k]!;
    if (u < 0) return order[k]!;
  }
  return order.at(-1)!;
}

export function samplingRng(seed: number): CounterRng {
  return new CounterRng(seed, SAMPLE_STREAM);
}
