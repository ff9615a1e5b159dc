// The built-in demo corpus: a lab notebook and short stories about five recurring people and a cat,
// generated deterministically from a small grammar written for gpt1-lab (no third-party text). Plain ASCII
// prose with a small vocabulary that repeats often, so a character-level model visibly learns words,
// names and sentence shapes within a few hundred steps.
import { CounterRng } from '../runtime/random.ts';

export const DEMO_CORPUS_NAME = 'gpt1-lab demo notebook.txt';
/** The generator stops at the first entry boundary past this many bytes. */
export const DEMO_CORPUS_TARGET_BYTES = 200_000;
const DEMO_SEED = 20_181_106;
const DEMO_STREAM = 7;

const PEOPLE = ['Ada', 'Bruno', 'Clara', 'Dev', 'Elena'] as const;
const PRONOUN: Record<(typeof PEOPLE)[number], { they: string; their: string }> = {
  Ada: { they: 'she', their: 'her' },
  Bruno: { they: 'he', their: 'his' },
  Clara: { they: 'she', their: 'her' },
  Dev: { they: 'he', their: 'his' },
  Elena: { they: 'she', their: 'her' },
};
const PLACES = ['the lab', 'the garden', 'the workshop', 'the library', 'the kitchen', 'the attic', 'the harbour'];
const OBJECTS = [
  'the copper wire',
  'the glass jar',
  'the old radio',
  'the brass key',
  'the small telescope',
  'the green notebook',
  'the clock',
  'the bicycle',
  'the kite',
  'the map of the hills',
  'the box of seeds',
  'the lamp',
];
const VERBS_PAST = [
  'measured',
  'cleaned',
  'opened',
  'repaired',
  'painted',
  'weighed',
  'tested',
  'carried',
  'found',
  'moved',
  'drew',
  'checked',
];
const ADJECTIVES = ['quiet', 'bright', 'cold', 'warm', 'windy', 'grey', 'calm', 'long', 'busy', 'strange', 'clear'];
const WEATHER = [
  'It rained all morning.',
  'The sun was out before seven.',
  'A cold wind came from the sea.',
  'The sky was clear and blue.',
  'Fog sat on the hills until noon.',
  'It snowed a little in the night.',
];
const FEELINGS = ['happy', 'tired', 'curious', 'surprised', 'worried', 'proud', 'hungry', 'sleepy'];
const RESULTS = [
  'The reading was {n} volts, so {they} wrote it down.',
  'It worked on the {ord} try.',
  'Nothing happened, which was interesting in its own way.',
  'The needle moved to {n} and stayed there.',
  'It made a soft sound, like a kettle far away.',
  'The result was the same as yesterday: {n} units.',
  'It was heavier than it looked: {n} grams.',
];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];
const CAT_ACTIONS = [
  'slept on the warm lamp',
  'knocked a pencil off the desk',
  'watched the birds from the window',
  'sat in the empty box',
  'walked across the notebook',
  'chased a moth around the room',
  'asked for breakfast twice',
];
const QUESTIONS = [
  'Why does the wire get warm?',
  'How far away is the lighthouse?',
  'What makes the seeds grow faster?',
  'Can we build a better kite?',
  'Where did the brass key come from?',
  'How many stars can we count tonight?',
];
const STORY_OPENINGS = [
  'Once upon a time, {a} lived in a small house near {place}.',
  'One {adj} evening, {a} and {b} went to {place}.',
  'Long ago, before the lab had a name, {a} found {object} in {place}.',
  'On the {adj} day of the fair, {a} met {b} at {place}.',
];
const STORY_MIDDLES = [
  '"Look at this," said {a}. "I think it is broken." {B} laughed and said, "Then we will fix it."',
  '{A} {verb} {object} very slowly. {B} held the lamp and counted to ten.',
  'They walked for a long time. The road was {adj}, and the trees were tall.',
  '"Do you hear that?" asked {b}. {A} listened. It was only Pixel, the cat.',
  '{B} had a plan. {B_they} drew it in the green notebook, and {a} read it twice.',
  'At first nothing worked. Then {a} had an idea, and {b} said it was a good one.',
];
const STORY_ENDINGS = [
  'In the end, they went home and had soup. It was a good day.',
  'When the sun went down, {a} wrote everything in the notebook.',
  'And that is how {object} came to live in the lab.',
  'Pixel the cat slept through all of it.',
  '{A} smiled. Tomorrow they would try again.',
];

/** A deterministic picker over the run-independent demo stream. */
class Picker {
  private readonly rng = new CounterRng(DEMO_SEED, DEMO_STREAM);
  int(n: number): number {
    return Math.floor(this.rng.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Two different people. */
  pair(): [(typeof PEOPLE)[number], (typeof PEOPLE)[number]] {
    const a = this.pick(PEOPLE);
    let b = this.pick(PEOPLE);
    while (b === a) b = this.pick(PEOPLE);
    return [a, b];
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Fills {a} {b} {A} {B} {B_they} {they} {place} {object} {verb} {adj} {n} {ord} from `p`. */
function fill(template: string, p: Picker, a: (typeof PEOPLE)[number], b: (typeof PEOPLE)[number]): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    switch (key) {
      case 'a':
      case 'A':
        return a;
      case 'b':
      case 'B':
        return b;
      case 'B_they':
        return capitalize(PRONOUN[b].they);
      case 'they':
        return PRONOUN[a].they;
      case 'place':
        return p.pick(PLACES);
      case 'object':
        return p.pick(OBJECTS);
      case 'verb':
        return p.pick(VERBS_PAST);
      case 'adj':
        return p.pick(ADJECTIVES);
      case 'n':
        return `${1 + p.int(9)}.${p.int(10)}`;
      case 'ord':
        return p.pick(ORDINALS);
      default:
        throw new Error(`demo corpus: unknown slot {${key}}`);
    }
  });
}

function notebookEntry(p: Picker, day: number): string {
  const [a, b] = p.pair();
  const lines = [`Day ${day}. ${p.pick(WEATHER)}`];
  const tasks = 2 + p.int(3);
  for (let i = 0; i < tasks; i++) {
    const who = i % 2 === 0 ? a : b;
    lines.push(
      `${who} ${p.pick(VERBS_PAST)} ${p.pick(OBJECTS)} in ${p.pick(PLACES)}. ${fill(p.pick(RESULTS), p, who, a)}`,
    );
  }
  if (p.int(2) === 0) lines.push(`Pixel the cat ${p.pick(CAT_ACTIONS)}.`);
  if (p.int(3) === 0) lines.push(`Question for tomorrow: ${p.pick(QUESTIONS)}`);
  lines.push(`${b} felt ${p.pick(FEELINGS)}, and ${a} felt ${p.pick(FEELINGS)}.`);
  return `${lines.join('\n')}\n`;
}

function story(p: Picker, index: number): string {
  const [a, b] = p.pair();
  const parts = [`Story ${index}.`, fill(p.pick(STORY_OPENINGS), p, a, b)];
  const middles = 2 + p.int(2);
  for (let i = 0; i < middles; i++) parts.push(fill(p.pick(STORY_MIDDLES), p, a, b));
  parts.push(fill(p.pick(STORY_ENDINGS), p, a, b));
  return `${parts.join('\n')}\n`;
}

let cached: string | undefined;

/** The demo corpus text (~200 KB, ASCII, '\n' line ends); the same string on every call and machine. */
export function demoCorpusText(): string {
  if (cached !== undefined) return cached;
  const p = new Picker();
  const entries: string[] = ['The Lab Notebook of Ada, Bruno, Clara, Dev and Elena\n'];
  let bytes = entries[0]!.length;
  let day = 1;
  let stories = 1;
  while (bytes < DEMO_CORPUS_TARGET_BYTES) {
    const entry = p.int(3) === 0 ? story(p, stories++) : notebookEntry(p, day++);
    entries.push(entry);
    bytes += entry.length + 1;
  }
  cached = entries.join('\n');
  return cached;
}

/** The demo corpus as UTF-8 bytes (what a dropped file would give readCorpus). */
export function demoCorpusBytes(): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(demoCorpusText());
}
