// The Pretrain tab's probe files without a GPU: what each file was read as, the built-in sets left in or
// out, a long file cut to the items a round scores, a name two sets would share refused.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol.ts';
import { MAX_PROBE_ITEMS, ProbeFiles } from './probe-files.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function probeFiles() {
  const events: EngineEvent[] = [];
  return { files: new ProbeFiles((e) => events.push(e)), last: () => events.at(-1) };
}

describe('ProbeFiles', () => {
  it('starts with the built-in sets, adds each good file after them, and can leave the built-in ones out', () => {
    const { files, last } = probeFiles();
    expect(files.sets.map((s) => s.name)).toEqual([
      'built-in sentiment',
      'built-in acceptability',
      'built-in multiple choice',
      'built-in Winograd',
    ]);
    const sst = bytes('sentence\tlabel\na fine film \t1\na dull film \t0\n');
    files.set(true, [{ name: 'sst2-dev.tsv', bytes: sst }]);
    expect(last()).toEqual({
      type: 'probe-files',
      builtin: true,
      files: [{ name: 'sst2-dev.tsv', bytes: sst.byteLength, status: 'ok', kind: 'sentiment', items: 2, used: 2 }],
    });
    expect(files.sets.map((s) => s.name)).toEqual([
      'built-in sentiment',
      'built-in acceptability',
      'built-in multiple choice',
      'built-in Winograd',
      'sst2-dev.tsv',
    ]);
    files.set(false, [{ name: 'sst2-dev.tsv', bytes: sst }]);
    expect(files.sets.map((s) => s.name)).toEqual(['sst2-dev.tsv']);
    files.set(false, []);
    expect(files.sets).toEqual([]);
  });

  it('names what is wrong with a file, with its line, and does not use it', () => {
    const { files, last } = probeFiles();
    const labels = bytes('sentence\tlabel\ngood\tyes\nbad\tno\n');
    const pairs = bytes('sentence1\tsentence2\tlabel\na\tb\tentailment\n');
    files.set(true, [
      { name: 'labels.tsv', bytes: labels },
      { name: 'pairs.tsv', bytes: pairs },
      { name: 'blank.jsonl', bytes: bytes('{"sentence": "no blank here", "candidates": ["a", "b"], "answer": 0}\n') },
    ]);
    const event = last() as Extract<EngineEvent, { type: 'probe-files' }>;
    expect(event.files.map((f) => (f.status === 'error' ? f.message : f.status))).toEqual([
      'labels.tsv: has labels no, yes: a sentiment probe needs 1/0 or positive/negative',
      expect.stringMatching(/^pairs\.tsv: holds entailment data .*: a probe set is sentiment/),
      `blank.jsonl, line 1: "no blank here" needs exactly one '_'`,
    ]);
    expect(files.sets).toHaveLength(4); // the built-in ones only
  });

  it(`scores the first ${MAX_PROBE_ITEMS} items of a long file, and refuses a second set of the same name`, () => {
    const { files, last } = probeFiles();
    const rows = Array.from({ length: MAX_PROBE_ITEMS + 500 }, (_, i) => `sentence ${i}\t${i % 2}`);
    const long = bytes(`sentence\tlabel\n${rows.join('\n')}\n`);
    files.set(false, [
      { name: 'long.tsv', bytes: long },
      { name: 'long.tsv', bytes: long },
      { name: 'built-in sentiment', bytes: long },
    ]);
    const event = last() as Extract<EngineEvent, { type: 'probe-files' }>;
    expect(event.files[0]).toMatchObject({ status: 'ok', items: MAX_PROBE_ITEMS + 500, used: MAX_PROBE_ITEMS });
    expect(event.files[1]).toMatchObject({
      status: 'error',
      message: 'long.tsv: another probe set has this name; rename it',
    });
    expect(event.files[2]).toMatchObject({ status: 'error' });
    expect(files.sets.map((s) => [s.name, s.items.length])).toEqual([['long.tsv', MAX_PROBE_ITEMS]]);
  });
});
