// Choosing the next token from logits: temperature, top-k, and a seeded draw, so a sample is
// reproducible from (seed, prompt, settings); and the distribution that draw is made from, which the
// Generate panel's next-token view shows. Plain host code over one row of logits.
import { CounterRng } from '../runtime/random.ts';

/** The random stream of sampling draws (see random.ts: one stream per use of a seed). */
export const SAMPLE_STREAM = 3;

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy). */
  temperature: number;
  /** Keep the k most likely tokens; 0 keeps all. */
  topK: number;
}

/**
 * The tokens a draw chooses among and their unnormalised weights exp((logit - max) / temperature): all
 * tokens, or the k most likely (ties to the lower id). Greedy (temperature 0) keeps the argmax alone.
 */
function candidates(logits: ArrayLike<number>, options: SamplingOptions): { order: number[]; weights: number[] } {
  const V = logits.length;
  let best = 0;
  for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
  if (options.temperature <= 0) return { order: [best], weights: [1] };
  let order = Array.from({ length: V }, (_, i) => i);
  if (options.topK > 0 && options.topK < V) {
    order.sort((a, b) => logits[b]! - logits[a]! || a - b);
    order = order.slice(0, options.topK);
  }
  const max = logits[best]!;
  return { order, weights: order.map((i) => Math.exp((logits[i]! - max) / options.temperature)) };
}

/** The next token id from `logits` [V]; `rng` supplies the draw (unused when greedy). */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: CounterRng): number {
  const { order, weights } = candidates(logits, options);
  if (options.temperature <= 0) return order[0]!; // greedy: no draw (a draw per token otherwise, even for top-1)
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let k = 0; k < order.length; k++) {
    u -= weights[k]!;
    if (u < 0) return order[k]!;
  }
  return order.at(-1)!;
}

/** A token and the probability the sampler draws it with. */
export interface TokenProbability {
  id: number;
  probability: number;
}

/**
 * The distribution sampleToken draws from (after temperature and top-k), its `count` most likely tokens in
 * order (ties to the lower id): softmax(logits / temperature) over the kept tokens, 0 elsewhere.
 */
export function nextTokenDistribution(
  logits: ArrayLike<number>,
  options: SamplingOptions,
  count: number,
): TokenProbability[] {
  const { order, weights } = candidates(logits, options);
  const total = weights.reduce((a, b) => a + b, 0);
  const ranked = order.map((id, k) => ({ id, probability: weights[k]! / total }));
  ranked.sort((a, b) => b.probability - a.probability || a.id - b.id);
  return ranked.slice(0, count);
}

export function samplingRng(seed: number): CounterRng {
  return new CounterRng(seed, SAMPLE_STREAM);
}
