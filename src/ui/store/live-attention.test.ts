// Live attention snapshots in the store, as the engine sends them: the view follows the latest unless a
// snapshot is picked, a new run starts a new list, a long run keeps at most MAX_SNAPSHOTS (the first and the
// latest always), and a fine-tuned model being inspected is never replaced by a pre-training snapshot. A
// fine-tuning run's snapshots are its model's maps (extract token), scrubbed the same way.
import { beforeEach, describe, expect, it } from 'vitest';
import { snapshotRun } from '../tabs/attention/live-attention.ts';
import { applyEngineEvent } from './apply-event.ts';
import { MAX_SNAPSHOTS } from './attention-slice.ts';
import { useAppStore } from './index.ts';

const initial = useAppStore.getState();
beforeEach(() => useAppStore.setState(initial, true));

/** A snapshot of a 1-layer, 1-head model over two tokens whose map holds `step` (to tell them apart). */
const snapshot = (runId: string, step: number) =>
  applyEngineEvent({
    type: 'attention-snapshot',
    runId,
    step,
    tokens: ['a', 'b'],
    layers: 1,
    heads: 1,
    data: Float32Array.of(1, 0, 0.5, step),
  });

/** A fine-tuning run's snapshot: start, a, extract (1 layer, 1 head), its map holding `step`. */
const finetuneSnapshot = (runId: string, step: number) =>
  applyEngineEvent({
    type: 'attention-snapshot',
    runId,
    kind: 'finetune',
    step,
    tokens: ['<s>', 'a', '<e>'],
    layers: 1,
    heads: 1,
    data: Float32Array.of(1, 0, 0, 0.5, 0.5, 0, 0.25, 0.25, step),
    extractIndex: 2,
  });

const attention = () => useAppStore.getState().attention;

describe('live attention snapshots', () => {
  it('follow the latest; a picked snapshot stays shown until "follow" again', () => {
    snapshot('r1', 10);
    snapshot('r1', 20);
    expect(attention().maps?.step).toBe(20);
    useAppStore.getState().showSnapshot(0);
    snapshot('r1', 30);
    expect(attention().maps?.step).toBe(10); // the picked one, while the list grows
    expect(attention().snapshots.map((m) => m.step)).toEqual([10, 20, 30]);
    useAppStore.getState().showSnapshot(undefined);
    expect(attention().maps?.step).toBe(30);
    expect(attention().maps?.data[3]).toBe(30);
  });

  it('start a new list for a new run, and thin a long run to MAX_SNAPSHOTS keeping the first and the latest', () => {
    snapshot('r1', 1);
    snapshot('r2', 5);
    expect(attention().snapshots.map((m) => [m.runId, m.step])).toEqual([['r2', 5]]);
    for (let step = 10; step <= 10 * (MAX_SNAPSHOTS + 1); step += 10) snapshot('r2', step);
    const steps = attention().snapshots.map((m) => m.step!);
    expect(steps.length).toBeLessThanOrEqual(MAX_SNAPSHOTS);
    expect(steps[0]).toBe(5);
    expect(steps.at(-1)).toBe(10 * (MAX_SNAPSHOTS + 1));
    expect([...steps].sort((a, b) => a - b)).toEqual(steps); // still in step order
  });

  it("never replace a fine-tuned model's maps being inspected", () => {
    useAppStore.getState().setAttentionModel('finetune:ft-1');
    snapshot('r1', 10);
    expect(attention().maps).toBeUndefined();
    expect(attention().snapshots).toHaveLength(1);
  });

  it("read a fine-tuning run's snapshots as its model's maps, scrubbed like a pre-training run's", () => {
    snapshot('r1', 10);
    finetuneSnapshot('r1', 3); // a fine-tuning run named like the pre-training run: still a new list
    finetuneSnapshot('r1', 6);
    expect(attention().snapshots.map((m) => [m.finetuneRunId, m.step])).toEqual([
      ['r1', 3],
      ['r1', 6],
    ]);
    expect(attention().maps).toMatchObject({ runId: 'r1', finetuneRunId: 'r1', extractIndex: 2, step: 6 });
    expect(snapshotRun(attention().maps!)).toBe("fine-tuning run r1, the text in its task's form");
    expect(snapshotRun({ ...attention().maps!, finetuneRunId: undefined })).toBe('pre-training run r1');
    useAppStore.getState().showSnapshot(0);
    finetuneSnapshot('r1', 9);
    expect(attention().maps?.step).toBe(3);
    expect(attention().maps?.data[8]).toBe(3);
    useAppStore.getState().showSnapshot(undefined);
    expect(attention().maps?.step).toBe(9);
  });

  it("follow a fine-tuning run's snapshots while its model is the one picked, not another's", () => {
    useAppStore.getState().setAttentionModel('finetune:ft-1');
    finetuneSnapshot('ft-1', 2);
    expect(attention().maps).toMatchObject({ finetuneRunId: 'ft-1', step: 2 });
    useAppStore.getState().setAttentionModel('finetune:ft-0');
    finetuneSnapshot('ft-1', 4);
    expect(attention().maps?.step).toBe(2); // ft-0 is picked: ft-1's snapshot is kept, not shown
    expect(attention().snapshots.map((m) => m.step)).toEqual([2, 4]);
  });
});
