// Applies one engine event to the store (and metric points to the buffers outside it): the one place each
// event type is handled, the task tabs' ones through apply-task-tab-event.ts. Follow-up commands are
// reactions.ts's. An error goes to the input it concerns: a task tab's input or fine-tuning run, or else the
// pre-training input its `where` names.

import type { EngineEvent } from '../../engine/protocol.ts';
import { downloadZip } from '../download.ts';
import { applyTaskTabError, applyTaskTabEvent, isTaskTabError } from './apply-task-tab-event.ts';
import { useAppStore } from './index.ts';
import { runMetrics } from './metrics-buffer.ts';
import { scheduleMetricsFlush } from './metrics-flush.ts';

export function applyEngineEvent(event: EngineEvent): void {
  const s = useAppStore.getState();
  switch (event.type) {
    case 'device-ready':
    case 'device-unavailable':
    case 'device-lost':
    case 'kernel-tuning':
      s.applyDeviceEvent(event);
      break;
    case 'corpus-loaded':
      s.clearErrors('corpus');
      s.corpusLoaded(event.stats);
      break;
    case 'tokenizer-progress':
      s.tokenizerProgress(event.done, event.total);
      break;
    case 'tokenizer-ready':
      s.clearErrors('tokenizer');
      s.tokenizerReady(event.stats);
      if (event.stats.model) s.adoptModelShape(event.stats.model);
      break;
    case 'plan':
      s.clearErrors('model');
      s.planReceived(event.plan);
      break;
    case 'run-state':
      s.runStateChanged(event.runId, event.state, event.step, event.totalSteps, event.message);
      if (event.state === 'error' && event.message) {
        s.pushError({ where: 'run', message: event.message, runId: event.runId, target: 'run' });
      }
      break;
    case 'metrics':
      runMetrics(event.runId).append(event.points);
      scheduleMetricsFlush(event.runId);
      break;
    case 'eval':
      runMetrics(event.runId).appendEval(event.step, event.valLoss);
      s.runEvaluated(event.runId, event.step, event.valLoss);
      scheduleMetricsFlush(event.runId);
      break;
    case 'sample':
      s.runSampled(event.runId, { step: event.step, prompt: event.prompt, text: event.text });
      break;
    case 'probes':
      s.runProbed(event.runId, { step: event.step, results: event.results });
      break;
    case 'probe-files':
      s.probeFilesRead(event.builtin, event.files);
      break;
    case 'checkpoint-export':
      downloadZip(`${event.runId}-step${event.step}-openai-gpt.zip`, event.files);
      break;
    case 'checkpoint-saved':
      s.runCheckpointed(event.runId, event.step, event.bytes);
      break;
    case 'saved-runs':
      s.savedRunsListed(event.runs);
      break;
    case 'finetune-runs':
      // A stored file that could not be read is skipped; its message names it.
      for (const message of event.skipped) console.warn(message);
      s.finetuneRunsListed(event.runs, event.skipped);
      break;
    case 'try-result':
      s.tryReceived(event.requestId, event.outcome);
      break;
    case 'finetuned-models':
      s.keptModelsListed(event.models);
      break;
    case 'generated':
      s.generationChunk(event.requestId, event.text, event.done, event.fullText);
      break;
    case 'next-tokens':
      s.nextTokensReceived(event.requestId, event.tokens);
      break;
    case 'attention-maps':
      s.clearErrors('attention');
      s.attentionReceived(event.requestId, {
        tokens: event.tokens,
        layers: event.layers,
        heads: event.heads,
        data: event.data,
        ...(event.extractIndex !== undefined ? { extractIndex: event.extractIndex } : {}),
      });
      break;
    case 'attention-snapshot':
      s.attentionSnapshot({
        runId: event.runId,
        step: event.step,
        tokens: event.tokens,
        layers: event.layers,
        heads: event.heads,
        data: event.data,
        // A fine-tuning run's snapshot is read as its model's maps (the extract token's row shown).
        ...(event.kind === 'finetune' ? { finetuneRunId: event.runId, extractIndex: event.extractIndex } : {}),
      });
      break;
    case 'task-file-loaded':
    case 'task-file-needs-mapping':
    case 'task-preview':
    case 'checkpoint-imported':
    case 'finetune-state':
    case 'finetune-started':
    case 'finetune-metrics':
    case 'finetune-eval':
    case 'finetune-done':
    case 'compare-plan':
    case 'compare-row':
    case 'compare-done':
      applyTaskTabEvent(event);
      break;
    case 'error':
      if (event.requestId?.startsWith('try:')) {
        s.tryFailed(event.requestId, event.message);
      } else if (isTaskTabError(event)) {
        // In the page's alert region, but not beside the Pretrain tab's inputs its `where` might match.
        s.pushError({ ...errorFields(event), target: 'other' });
        applyTaskTabError(event);
      } else {
        applyError(event);
      }
      break;
    default:
      event satisfies never;
  }
}

const errorFields = ({ where, message, runId, requestId }: Extract<EngineEvent, { type: 'error' }>) => ({
  where,
  message,
  runId,
  requestId,
});

/** An error of pre-training, generation, attention or the corpus/tokenizer/model inputs. */
function applyError(event: Extract<EngineEvent, { type: 'error' }>): void {
  const s = useAppStore.getState();
  let target: Parameters<typeof s.pushError>[0]['target'];
  if (event.requestId && event.requestId === s.nextTokens.requestId) {
    s.nextTokensFailed(event.requestId);
    target = 'generate';
  } else if (event.requestId && event.requestId === s.generation.requestId) {
    s.generationFailed(event.requestId);
    target = 'generate';
  } else if (event.requestId && event.requestId === s.attention.requestId) {
    s.attentionFailed(event.requestId);
    target = 'attention';
  } else if (s.corpus.status === 'loading' && (event.where === s.corpus.name || event.where === 'corpus')) {
    target = 'corpus'; // the worker names a refused corpus by its file name
  }
  s.pushError({ ...errorFields(event), target });
  const pushed = useAppStore.getState().errors.at(-1);
  if (pushed?.target === 'corpus' && s.corpus.status === 'loading') s.corpusFailed(s.corpus.name);
  if (pushed?.target === 'tokenizer' && s.tokenizer.status === 'building') s.tokenizerFailed();
  if (pushed?.target === 'model' && s.plan.status === 'planning') s.planCancelled();
  // A start the worker refused never gets a run-state: mark the run failed so the buttons reset.
  const current = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  const startRefused = !event.runId && pushed && ['run', 'training', 'model'].includes(pushed.target);
  const run = event.runId ? s.runs[event.runId] : startRefused ? current : undefined;
  if (run && run.state === 'starting') s.runStateChanged(run.runId, 'error', run.step, run.totalSteps, event.message);
}
