// The store as the engine drives it: events in, state out (run life cycle, coalesced metrics, errors
// routed to the input they concern, streamed generation), plus the form's validation.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, PretrainSettings, StepMetrics } from '../../engine/protocol.ts';
import { applyEngineEvent } from './apply-event.ts';
import { errorTarget } from './errors-slice.ts';
import { useAppStore } from './index.ts';
import { peekRunMetrics } from './metrics-buffer.ts';
import { flushMetricsNow } from './metrics-flush.ts';
import { matchPreset, parseForm, presetFields } from './plan-slice.ts';

const initial = useAppStore.getState();
beforeEach(() => useAppStore.setState(initial, true));
afterEach(() => vi.useRealTimers());

function settings(): PretrainSettings {
  return parseForm(useAppStore.getState().form, 64).settings;
}

const point = (step: number): StepMetrics => ({
  step,
  loss: 4 - step / 10,
  gradNorm: 1,
  lr: 1e-3,
  tokens: step * 512,
  tokensPerSecond: 300,
  msPerStep: 50,
  elapsedMs: step * 50,
});

describe('runs', () => {
  it('follows the run-state machine and keeps samples and checkpoint info', () => {
    const s = useAppStore.getState();
    s.runCreated('r1', settings());
    expect(useAppStore.getState().runs.r1?.state).toBe('starting');
    const events: EngineEvent[] = [
      { type: 'run-state', runId: 'r1', state: 'preparing', step: 0, totalSteps: 1000 },
      { type: 'run-state', runId: 'r1', state: 'running', step: 0, totalSteps: 1000 },
      { type: 'sample', runId: 'r1', step: 50, prompt: 'The ', text: 'The cat' },
      { type: 'checkpoint-saved', runId: 'r1', step: 50, bytes: 1234 },
      { type: 'run-state', runId: 'r1', state: 'paused', step: 51, totalSteps: 1000 },
    ];
    for (const e of events) applyEngineEvent(e);
    const run = useAppStore.getState().runs.r1!;
    expect(run.state).toBe('paused');
    expect(run.step).toBe(51);
    expect(run.samples).toEqual([{ step: 50, prompt: 'The ', text: 'The cat' }]);
    expect(run.checkpoint?.step).toBe(50);
  });

  it('appends metrics to the buffers at once and tells the store once per flush', () => {
    useAppStore.getState().runCreated('r2', settings());
    const tick = useAppStore.getState().metricsTick;
    applyEngineEvent({ type: 'metrics', runId: 'r2', points: [point(1), point(2)] });
    applyEngineEvent({ type: 'metrics', runId: 'r2', points: [point(3)] });
    expect(peekRunMetrics('r2')?.length).toBe(3);
    expect(useAppStore.getState().metricsTick).toBe(tick); // not yet: coalesced
    flushMetricsNow();
    const state = useAppStore.getState();
    expect(state.metricsTick).toBe(tick + 1);
    expect(state.runs.r2?.latest?.step).toBe(3);
    expect(state.runs.r2?.msPerStep).toBeCloseTo(50, 9);
  });

  it('creates a record for a resumed saved run the page did not start', () => {
    applyEngineEvent({
      type: 'saved-runs',
      runs: [{ runId: 'old', step: 40, totalSteps: 100, savedAt: '2025-01-01T00:00:00Z', settings: settings() }],
    });
    applyEngineEvent({ type: 'run-state', runId: 'old', state: 'running', step: 40, totalSteps: 100 });
    const state = useAppStore.getState();
    expect(state.runs.old?.state).toBe('running');
    expect(state.currentRunId).toBe('old');
  });

  it('marks a start the worker refused as failed, so Start is offered again', () => {
    useAppStore.getState().runCreated('r3', settings());
    applyEngineEvent({ type: 'error', runId: 'r3', where: 'steps', message: 'steps must be 1 to 10000000 (got 0)' });
    const state = useAppStore.getState();
    expect(state.runs.r3?.state).toBe('error');
    expect(state.errors.at(-1)).toMatchObject({ target: 'training', where: 'steps' });
  });
});

describe('errors', () => {
  it('routes the worker’s `where` to the input it concerns', () => {
    expect(errorTarget('corpus')).toBe('corpus');
    expect(errorTarget('tokenizer')).toBe('tokenizer');
    expect(errorTarget('config')).toBe('model');
    expect(errorTarget('plan')).toBe('model');
    expect(errorTarget('lr')).toBe('training');
    expect(errorTarget('sampleEvery')).toBe('training');
    expect(errorTarget('generate')).toBe('generate');
    expect(errorTarget('attention')).toBe('attention');
    expect(errorTarget('checkpoint')).toBe('run');
    expect(errorTarget('runId')).toBe('run');
  });

  it('ties a refused corpus (named by its file) to the corpus input', () => {
    useAppStore.getState().corpusLoading('photo.png');
    applyEngineEvent({ type: 'error', where: 'photo.png', message: 'photo.png looks binary' });
    const state = useAppStore.getState();
    expect(state.errors.at(-1)?.target).toBe('corpus');
    expect(state.corpus.status).toBe('error');
  });
});

describe('generation', () => {
  it('appends streamed pieces and prefers fullText when sent', () => {
    const s = useAppStore.getState();
    s.generationStarted('g1', 'r1', 'Say ');
    applyEngineEvent({ type: 'generated', requestId: 'g1', text: 'Hel', done: false });
    applyEngineEvent({ type: 'generated', requestId: 'g1', text: 'lo', done: false });
    expect(useAppStore.getState().generation.text).toBe('Hello');
    applyEngineEvent({ type: 'generated', requestId: 'g1', text: '!', done: true, fullText: 'Hello!' });
    expect(useAppStore.getState().generation).toMatchObject({ text: 'Hello!', status: 'done' });
    applyEngineEvent({ type: 'generated', requestId: 'other', text: 'x', done: true });
    expect(useAppStore.getState().generation.text).toBe('Hello!');
  });
});

describe('form', () => {
  it('names each bad field', () => {
    const form = {
      ...useAppStore.getState().form,
      fields: { ...presetFields('tiny'), nHead: '5', lr: '2', steps: 'x' },
    };
    const { problems } = parseForm(form, 64);
    expect(Object.keys(problems).sort()).toEqual(['lr', 'nHead', 'steps']);
    expect(problems.nHead).toMatch(/divide the width \(64\)/);
  });

  it('builds settings with the tokenizer’s vocabulary and T = context', () => {
    const { settings: s, problems } = parseForm(useAppStore.getState().form, 77);
    expect(problems).toEqual({});
    expect(s.config.vocabSize).toBe(77);
    expect(s.T).toBe(s.config.nPositions);
    expect(s.config.nInner).toBe(4 * s.config.nEmbd);
  });

  it('calls an edited shape custom, and a shape equal to a preset by its name', () => {
    expect(matchPreset({ ...presetFields('tiny'), nLayer: '3' })).toBe('custom');
    expect(matchPreset({ ...presetFields('tiny'), batch: '1' })).toBe('tiny');
    expect(matchPreset(presetFields('small'))).toBe('small');
  });
});
