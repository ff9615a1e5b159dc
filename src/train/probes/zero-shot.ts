// The paper's zero-shot heuristics (GPT-1 §5, "Zero-shot behaviours"), scored with the language model alone:
//   sentiment      append " very" and compare the continuations " positive" and " negative";
//   acceptability  the sentence's average token log-probability, thresholded (the threshold chosen on the
//                  set's first half, the MCC reported on its second half);
//   choice         the choice with the highest average token log-probability after the context;
//   winograd       each candidate put in the '_', the rest of the sentence scored (average log-probability).
// A word several tokens long is scored as its sequence of tokens: every comparison uses the AVERAGE
// log-probability per token, so a longer continuation is not penalised for its length. Each result is also
// normalised between chance (0) and always right (1), as the paper's Figure 2 draws them.
import type { Tokenizer } from '../../tokenizer/types.ts';
import { matthewsCorrelation } from '../metrics.ts';
import type { ProbeKind, ProbeSet } from './probe-sets.ts';
import type { ScoredSequence, SequenceScore } from './sequence-scorer.ts';

export interface ProbeResult {
  kind: ProbeKind;
  name: string;
  metric: 'accuracy' | 'mcc';
  value: number;
  /** The metric's value by chance. */
  chance: number;
  /** (value − chance) / (1 − chance): 0 at chance, 1 always right. */
  normalized: number;
  items: number;
}

/** One probe round during pre-training: every set's result at a step. */
export interface ProbePoint {
  step: number;
  results: ProbeResult[];
}

/** Scores token sequences (a SequenceScorer, or a CPU reference in tests). */
export type Score = (sequences: readonly ScoredSequence[]) => Promise<SequenceScore[]>;

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};

/** A prefix and the text scored after it, as token ids (tokenised apart, so the scored part is exact). */
function sequenceOf(tokenizer: Tokenizer, prefix: string, scored: string): ScoredSequence {
  let head = tokenizer.encode(prefix);
  // Nothing to condition on: start from a newline (or token 0), as generation does.
  if (head.length === 0) head = tokenizer.encode('\n').length ? tokenizer.encode('\n') : [0];
  const tail = tokenizer.encode(scored);
  if (tail.length === 0) throw new Error(`nothing to score after "${prefix}": "${scored}" has no tokens`);
  return { ids: [...head, ...tail], from: head.length };
}

/** Average log-probability per token of each `scored` text after its prefix. */
async function averages(score: Score, tokenizer: Tokenizer, pairs: [string, string][]): Promise<number[]> {
  const scores = await score(pairs.map(([prefix, scored]) => sequenceOf(tokenizer, prefix, scored)));
  return scores.map(mean);
}

function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function result(set: ProbeSet, metric: ProbeResult['metric'], value: number, chance: number): ProbeResult {
  return {
    kind: set.kind,
    name: set.name,
    metric,
    value,
    chance,
    normalized: (value - chance) / (1 - chance),
    items: set.items.length,
  };
}

/** Picks per item from per-item scores of its options, and the accuracy against the answers. */
async function multipleChoice(
  score: Score,
  tokenizer: Tokenizer,
  items: { options: [string, string][]; answer: number }[],
): Promise<{ accuracy: number; chance: number }> {
  const flat = items.flatMap((item) => item.options);
  const all = await averages(score, tokenizer, flat);
  let at = 0;
  let right = 0;
  let chance = 0;
  for (const item of items) {
    const mine = all.slice(at, at + item.options.length);
    at += item.options.length;
    if (argmax(mine) === item.answer) right++;
    chance += 1 / item.options.length;
  }
  return { accuracy: right / items.length, chance: chance / items.length };
}

/** The MCC of the best threshold on the first half, applied to the second half. */
function thresholdMcc(values: number[], labels: boolean[]): number {
  const half = Math.ceil(values.length / 2);
  const candidates = [...new Set(values.slice(0, half))].sort((a, b) => a - b);
  const mccAt = (threshold: number, from: number, to: number) => {
    const predicted = values.slice(from, to).map((v) => (v >= threshold ? 1 : 0));
    return matthewsCorrelation(
      predicted,
      labels.slice(from, to).map((l) => (l ? 1 : 0)),
    );
  };
  let best = candidates[0] ?? 0;
  let bestMcc = Number.NEGATIVE_INFINITY;
  for (const threshold of candidates) {
    const m = mccAt(threshold, 0, half);
    if (m > bestMcc) [best, bestMcc] = [threshold, m];
  }
  return mccAt(best, half, values.length);
}

/** Runs one probe set's heuristic. */
export async function runProbe(set: ProbeSet, tokenizer: Tokenizer, score: Score): Promise<ProbeResult> {
  switch (set.kind) {
    case 'sentiment': {
      const items = set.items.map((item) => ({
        options: [
          [`${item.text} very`, ' positive'],
          [`${item.text} very`, ' negative'],
        ] as [string, string][],
        answer: item.positive ? 0 : 1,
      }));
      const { accuracy } = await multipleChoice(score, tokenizer, items);
      return result(set, 'accuracy', accuracy, 0.5);
    }
    case 'acceptability': {
      const values = await averages(
        score,
        tokenizer,
        set.items.map((item) => ['', item.text]),
      );
      return result(
        set,
        'mcc',
        thresholdMcc(
          values,
          set.items.map((i) => i.acceptable),
        ),
        0,
      );
    }
    case 'choice': {
      const items = set.items.map((item) => ({
        options: item.choices.map((c) => [item.context, ` ${c}`] as [string, string]),
        answer: item.answer,
      }));
      const { accuracy, chance } = await multipleChoice(score, tokenizer, items);
      return result(set, 'accuracy', accuracy, chance);
    }
    case 'winograd': {
      const items = set.items.map((item) => {
        const [before, after] = splitAtBlank(item.sentence);
        return {
          options: item.candidates.map((c) => [`${before}${c}`, after] as [string, string]),
          answer: item.answer,
        };
      });
      const { accuracy, chance } = await multipleChoice(score, tokenizer, items);
      return result(set, 'accuracy', accuracy, chance);
    }
  }
}

/** The text before and after a Winograd sentence's one '_'. */
export function splitAtBlank(sentence: string): [string, string] {
  const at = sentence.indexOf('_');
  if (at < 0 || sentence.indexOf('_', at + 1) >= 0) throw new Error(`"${sentence}" needs exactly one '_'`);
  const after = sentence.slice(at + 1);
  if (!after.trim()) throw new Error(`"${sentence}" has nothing after its '_' to score`);
  return [sentence.slice(0, at), after];
}

/** Every set's result, in order. */
export async function runProbes(sets: readonly ProbeSet[], tokenizer: Tokenizer, score: Score): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const set of sets) results.push(await runProbe(set, tokenizer, score));
  return results;
}
