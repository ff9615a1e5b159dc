// Zero-shot probe sets (GPT-1 §5, Figure 2 right): labelled items that the language model alone is scored on,
// one heuristic per kind. Four kinds, after the paper's: sentiment (SST-2 form), acceptability (CoLA form),
// multiple choice (COPA / Story Cloze / RACE form) and Winograd (DPRD form, a '_' where the referent goes).
// Also the app's built-in sets, generated from the demo notebook's own small grammar (no third-party text),
// so the probe chart works with no files.

export type ProbeKind = 'sentiment' | 'acceptability' | 'choice' | 'winograd';

export interface SentimentItem {
  text: string;
  positive: boolean;
}

export interface AcceptabilityItem {
  text: string;
  acceptable: boolean;
}

export interface ChoiceItem {
  /** The context (and question) the choices continue. */
  context: string;
  choices: string[];
  answer: number;
}

export interface WinogradItem {
  /** The sentence with one '_' where a candidate goes. */
  sentence: string;
  candidates: string[];
  answer: number;
}

export type ProbeSet =
  | { kind: 'sentiment'; name: string; items: SentimentItem[] }
  | { kind: 'acceptability'; name: string; items: AcceptabilityItem[] }
  | { kind: 'choice'; name: string; items: ChoiceItem[] }
  | { kind: 'winograd'; name: string; items: WinogradItem[] };

const PEOPLE = ['Ada', 'Bruno', 'Clara', 'Dev', 'Elena'];
const OBJECTS = ['the copper wire', 'the glass jar', 'the old radio', 'the brass key', 'the lamp', 'the kite'];
const VERBS = ['measured', 'cleaned', 'opened', 'repaired', 'painted', 'tested'];
const PLACES = ['the lab', 'the garden', 'the workshop', 'the library', 'the kitchen'];
const GOOD = ['happy', 'proud', 'glad', 'delighted'];
const BAD = ['tired', 'worried', 'sad', 'upset'];
/** Words the notebook never writes after a verb: a choice between them and an object tests what was learnt. */
const STRANGE = ['the purple ocean', 'a sleeping mountain', 'the loud banana', 'seven thunders'];

/** Every combination, taken in a fixed interleaved order, up to `n` items. */
function combos<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

const pick = <T>(list: readonly T[], i: number, stride = 1) => list[(i * stride) % list.length]!;

/** The built-in probe sets: 24 items each, balanced labels, in the demo notebook's words. */
export function builtinProbeSets(): ProbeSet[] {
  const n = 24;
  return [
    {
      kind: 'sentiment',
      name: 'built-in sentiment',
      items: combos(n, (i) => {
        const positive = i % 2 === 0;
        const feeling = pick(positive ? GOOD : BAD, i >> 1);
        return {
          text: `${pick(PEOPLE, i)} ${pick(VERBS, i, 5)} ${pick(OBJECTS, i, 7)} and felt ${feeling}.`,
          positive,
        };
      }),
    },
    {
      kind: 'acceptability',
      name: 'built-in acceptability',
      items: combos(n, (i) => {
        const words = [pick(PEOPLE, i), pick(VERBS, i, 5), pick(OBJECTS, i, 7), 'in', pick(PLACES, i, 3)];
        const acceptable = i % 2 === 0;
        // The unacceptable twin has the same words in a broken order.
        const order = acceptable ? words : [words[2], words[0], 'in', words[1], words[4]];
        return { text: `${order.join(' ')}.`, acceptable };
      }),
    },
    {
      kind: 'choice',
      name: 'built-in multiple choice',
      items: combos(n, (i) => {
        const right = pick(OBJECTS, i, 5);
        const wrong = pick(STRANGE, i);
        const answer = i % 2;
        const choices = answer === 0 ? [`${right}.`, `${wrong}.`] : [`${wrong}.`, `${right}.`];
        return { context: `In ${pick(PLACES, i, 3)}, ${pick(PEOPLE, i)} ${pick(VERBS, i, 7)}`, choices, answer };
      }),
    },
    {
      kind: 'winograd',
      name: 'built-in Winograd',
      items: combos(n, (i) => {
        const person = pick(PEOPLE, i);
        const thing = pick(OBJECTS, i, 5);
        const answer = i % 2;
        // The referent that fits: a person can be tired, a thing can be repaired.
        const sentence =
          answer === 0
            ? `${person} looked at ${thing} because _ was curious.`
            : `${person} looked at ${thing} until _ was repaired.`;
        return { sentence, candidates: [person, thing], answer };
      }),
    },
  ];
}
