// The zero-shot heuristics on the GPU against the same heuristics fed by GPT-1's float64 CPU forward, on the
// hf-tiny fixture model with a character tokenizer: each probe kind's choices and results are the same
// (log-probabilities within the scorer's tolerance, answers exact). Also the probe files: each format read
// into its kind, and bad files refused naming the file and line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTokenLogProbsRef } from '../../../test-support/gpt-reference.ts';
import { openTestGpu } from '../../../test-support/test-gpu.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { readHfFolder } from '../../model/hf-folder-node.ts';
import { importHfCheckpoint } from '../../model/hf-format.ts';
import type { ParamValues } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import { parseProbeFile } from './probe-files.ts';
import type { ProbeSet } from './probe-sets.ts';
import { SequenceScorer } from './sequence-scorer.ts';
import { runProbes, type Score } from './zero-shot.ts';

// Short items: the fixture model has 24 positions, one per character here.
const SETS: ProbeSet[] = [
  {
    kind: 'sentiment',
    name: 'sentiment',
    items: [
      { text: 'a fun day', positive: true },
      { text: 'a bad day', positive: false },
      { text: 'so nice', positive: true },
      { text: 'so dull', positive: false },
    ],
  },
  {
    kind: 'acceptability',
    name: 'acceptability',
    items: ['the cat sat.', 'sat cat the.', 'a dog ran.', 'ran a dog.', 'we go out.', 'out go we.'].map((text, i) => ({
      text,
      acceptable: i % 2 === 0,
    })),
  },
  {
    kind: 'choice',
    name: 'choice',
    items: [
      { context: 'the cat', choices: ['sat.', 'ran.', 'is.'], answer: 0 },
      { context: 'a dog', choices: ['barks.', 'flies.'], answer: 0 },
      { context: 'we', choices: ['go.', 'went.'], answer: 1 },
    ],
  },
  {
    kind: 'winograd',
    name: 'winograd',
    items: [
      { sentence: 'ann saw bo so _ ran.', candidates: ['ann', 'bo'], answer: 0 },
      { sentence: 'jo met al; _ left.', candidates: ['jo', 'al'], answer: 1 },
    ],
  },
];

describe('zero-shot probes', () => {
  let ctx: GpuContext;
  let model: ReturnType<typeof importHfCheckpoint>;
  const tokenizer = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz .,;_');
  beforeAll(async () => {
    ctx = await openTestGpu();
    model = importHfCheckpoint(await readHfFolder('../shared/fixtures/hf-tiny/base'));
  });
  afterAll(() => ctx.destroy());

  it("gives each heuristic's results as the float64 reference does", async () => {
    expect(tokenizer.vocabSize).toBeLessThanOrEqual(model.config.vocabSize);
    const reference: Score = async (sequences) =>
      sequences.map(({ ids, from }) => nextTokenLogProbsRef(model.config, model.params, ids).slice(from - 1));
    const scorer = await SequenceScorer.create(ctx, model.config, { values: model.params as ParamValues }, 8);
    const gpu = await runProbes(SETS, tokenizer, (s) => scorer.score(s));
    const cpu = await runProbes(SETS, tokenizer, reference);
    scorer.destroy();
    expect(gpu).toEqual(cpu); // the same answers, so the same metrics, exactly
    expect(gpu.map((r) => [r.kind, r.metric, r.chance, r.items])).toEqual([
      ['sentiment', 'accuracy', 0.5, 4],
      ['acceptability', 'mcc', 0, 6],
      ['choice', 'accuracy', (1 / 3 + 1 / 2 + 1 / 2) / 3, 3],
      ['winograd', 'accuracy', 0.5, 2],
    ]);
    for (const r of gpu) expect(r.normalized).toBeCloseTo((r.value - r.chance) / (1 - r.chance), 12);
  });
});

describe('probe files', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('reads each format into its kind', () => {
    const sst = parseProbeFile('sst.tsv', bytes('sentence\tlabel\ngood film\t1\nbad film\t0\n'));
    expect(sst).toMatchObject({ kind: 'sentiment', items: [{ positive: true }, { positive: false }] });
    const cola = parseProbeFile('cola.tsv', bytes('gj04\t1\t\tThe cat sat.\ngj04\t0\t*\tSat cat the.\n'));
    expect(cola).toMatchObject({ kind: 'acceptability', items: [{ acceptable: true }, { acceptable: false }] });
    const copa = parseProbeFile(
      'copa.jsonl',
      bytes(
        '{"premise": "It rained.", "choice1": "We got wet.", "choice2": "We got dry.", "question": "effect", "label": 0}\n',
      ),
    );
    expect(copa).toMatchObject({ kind: 'choice', items: [{ answer: 0 }] });
    expect((copa as Extract<ProbeSet, { kind: 'choice' }>).items[0]!.choices).toHaveLength(2);
    const wino = parseProbeFile(
      'w.jsonl',
      bytes('{"sentence": "Ada thanked Dev because _ had helped.", "candidates": ["Ada", "Dev"], "answer": 1}\n'),
    );
    expect(wino).toMatchObject({ kind: 'winograd', items: [{ answer: 1 }] });
  });

  it('refuses bad probe files with what and where', () => {
    const cases: [string, string, RegExp][] = [
      [
        'w.jsonl',
        '{"sentence": "no blank here", "candidates": ["a", "b"], "answer": 0}\n',
        /w\.jsonl, line 1: .*needs exactly one '_'/,
      ],
      [
        'w.jsonl',
        '{"sentence": "a _ b", "candidates": ["a", "b"], "answer": 2}\n',
        /line 1: "answer" must be the index of a candidate/,
      ],
      [
        'w.jsonl',
        '{"sentence": "a _ b", "candidates": ["a", "b"], "answer": 0}\n{"sentence": oops}\n',
        /w\.jsonl, line 2: is not JSON/,
      ],
      [
        'rte.tsv',
        'index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\tc\td\tnot_entailment\n',
        /holds entailment data/,
      ],
      ['sst.tsv', 'sentence\tlabel\ngood\tyes\nbad\tno\n', /a sentiment probe needs 1\/0 or positive\/negative/],
      ['bin.tsv', 'sentence\tlabel\n\u0000\t1\n', /looks binary/],
    ];
    for (const [name, text, message] of cases) expect(() => parseProbeFile(name, bytes(text)), name).toThrow(message);
  });
});
