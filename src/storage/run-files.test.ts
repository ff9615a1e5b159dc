// A saved run's fixed files: the probe sets it scores come back as saved; a run saved before they were kept,
// or a damaged file, gives none (the run still resumes, with the built-in sets).
import { describe, expect, it } from 'vitest';
import { tinySettings } from '../engine/engine-test-kit.ts';
import { builtinProbeSets } from '../train/probes/probe-sets.ts';
import { PROBE_SETS_FILE, parseRunFiles, runFiles } from './run-files.ts';

const manifest = { runId: 'r', settings: tinySettings(), corpusName: 'c.txt', createdAt: 'now' };

describe('run files', () => {
  it('keep the probe sets a run scores', () => {
    const sets = [
      builtinProbeSets()[3]!,
      { kind: 'sentiment' as const, name: 'mine.tsv', items: [{ text: 'ok', positive: true }] },
    ];
    expect(parseRunFiles(runFiles(manifest, 'corpus', sets)).probeSets).toEqual(sets);
  });

  it('give no probe sets for an older run or a damaged file', () => {
    expect(parseRunFiles(runFiles(manifest, 'corpus')).probeSets).toBeUndefined();
    const damaged = runFiles(manifest, 'corpus', builtinProbeSets());
    damaged.set(PROBE_SETS_FILE, new TextEncoder().encode('[{"kind": "poem"}]'));
    expect(parseRunFiles(damaged).probeSets).toBeUndefined();
    damaged.set(PROBE_SETS_FILE, new TextEncoder().encode('[{'));
    expect(parseRunFiles(damaged).probeSets).toBeUndefined();
  });
});
