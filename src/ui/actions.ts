// What the user can ask for, as functions: each checks what it needs, updates the store and sends a command.
// Components and reactions go through here, so they behave the same. The run's own controls (Start, Pause,
// Step once, Stop, Export) are records in controls/pretrain-controls.ts, with their guards.
import { checkCorpusSize } from '../data/corpus.ts';
import { sendCommand } from './engine-port.ts';
import { chosenModel } from './model-list.ts';
import type { FinetuneRun } from './store/finetune-slice.ts';
import { parseGenerationFields } from './store/generation-slice.ts';
import { type AppState, useAppStore } from './store/index.ts';
import { parseForm } from './store/plan-slice.ts';
import { ACTIVE_STATES, type RunRecord } from './store/runs-slice.ts';
import { tokenizerChoice } from './store/tokenizer-slice.ts';

const get = () => useAppStore.getState();

/** Bytes of a dropped file sniffed on this thread for NUL bytes (cheap); the worker validates the whole file. */
const SNIFF_BYTES = 64 * 1024;

function fail(where: string, message: string, target: Parameters<AppState['pushError']>[0]['target']): void {
  get().pushError({ where, message, target });
}

export async function loadCorpusFile(file: File): Promise<void> {
  const s = get();
  s.clearErrors('corpus');
  try {
    checkCorpusSize(file.name, file.size);
  } catch (error) {
    fail('corpus-file', (error as Error).message, 'corpus');
    return;
  }
  s.corpusLoading(file.name);
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const nul = head.indexOf(0);
  if (nul >= 0) {
    get().corpusFailed(file.name);
    fail(
      'corpus-file',
      `${file.name} looks binary (a NUL byte at offset ${nul}); gpt1-lab pretrains on plain UTF-8 text.`,
      'corpus',
    );
    return;
  }
  const bytes = await file.arrayBuffer();
  sendCommand({ type: 'load-corpus', name: file.name, bytes }, [bytes]);
}

export function loadDemoCorpus(): void {
  get().clearErrors('corpus');
  get().corpusLoading('demo corpus');
  sendCommand({ type: 'load-demo-corpus' });
}

/** Sends the chosen tokenizer to the worker (after a corpus is loaded); returns a problem to show, if any. */
export function prepareTokenizer(): string | undefined {
  const s = get();
  const choice = tokenizerChoice(s.tokenizer.kind, s.tokenizer.bpeVocab);
  if (typeof choice === 'string') return choice;
  const files = s.tokenizer.gpt1Files;
  if (choice.kind === 'gpt1' && !files?.length) return 'Choose the GPT-1 tokenizer files first.';
  if (s.corpus.status !== 'ready') return undefined;
  s.clearErrors('tokenizer');
  s.tokenizerBuilding();
  sendCommand({ type: 'prepare-tokenizer', choice, files: choice.kind === 'gpt1' ? files : undefined });
  return undefined;
}

/** Reads GPT-1's tokenizer files (vocab.json + merges.txt, or encoder_bpe_40000.json + vocab_40000.bpe). */
export async function loadGpt1Files(list: FileList | null): Promise<void> {
  const files = await Promise.all([...(list ?? [])].map(async (f) => ({ name: f.name, text: await f.text() })));
  get().setGpt1Files(files);
  prepareTokenizer();
}

/** The vocabulary the model will have: the tokenizer's once built, else the preset's. */
export function plannedVocab(s: AppState = get()): number {
  return s.tokenizer.stats?.vocabSize ?? parseForm(s.form, 256).settings.config.vocabSize;
}

export function requestPlan(): void {
  const s = get();
  const { settings, problems } = parseForm(s.form, plannedVocab(s));
  if (s.device.status !== 'ready' || Object.keys(problems).length) {
    s.planCancelled();
    return;
  }
  s.planRequested();
  const { config, B, T, accumulation } = settings;
  sendCommand({ type: 'plan', config, B, T, accumulation });
}

export function currentRun(s: AppState = get()): RunRecord | undefined {
  return s.currentRunId ? s.runs[s.currentRunId] : undefined;
}

export function isActive(run: RunRecord | undefined): run is RunRecord {
  return !!run && ACTIVE_STATES.has(run.state);
}

/** Why Start is not possible right now (empty when it is). */
export function startBlockers(s: AppState = get()): string[] {
  const reasons: string[] = [];
  if (s.device.status !== 'ready') reasons.push('waiting for the GPU');
  if (s.corpus.status !== 'ready') reasons.push('load a corpus first');
  else if (s.tokenizer.status !== 'ready') reasons.push('the tokenizer is not ready');
  const { problems } = parseForm(s.form, plannedVocab(s));
  if (Object.keys(problems).length) reasons.push('fix the highlighted settings');
  else if (s.plan.status === 'planning') reasons.push('planning GPU memory');
  else if (s.plan.summary && !s.plan.summary.fits) reasons.push('the model does not fit');
  if (isActive(currentRun(s))) reasons.push('a run is in progress');
  return reasons;
}

/** Resumes a saved run; `paused`: loads it without stepping (its model to use, Resume trains it). */
export function resumeSaved(runId: string, paused = false): void {
  const s = get();
  const saved = s.savedRuns.find((r) => r.runId === runId);
  if (!saved) return;
  s.runCreated(runId, saved.settings, saved.step);
  sendCommand({ type: 'resume-saved', runId, ...(paused ? { paused } : {}) });
}

/** After a lost device: the engine opens a fresh one and self-tests it ('device-ready' makes Start possible). */
export function reconnectGpu(): void {
  useAppStore.setState({ device: { status: 'probing' } });
  sendCommand({ type: 'probe-device' });
}

/** Deletes a saved run's folder; the worker answers with the new list. */
export function deleteSaved(runId: string): void {
  sendCommand({ type: 'delete-saved', runId });
}

/** Deletes a kept fine-tuning run (its summary and curves); the worker answers with the new list. */
export function deleteFinetuneRun(key: string): void {
  get().finetuneRunDeleted(key);
  sendCommand({ type: 'delete-finetune-run', key });
}

function requestId(kind: string): string {
  return `${kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A run whose model can generate or show attention: the current one once it has taken a step. */
export function modelRun(s: AppState = get()): RunRecord | undefined {
  const run = currentRun(s);
  return run && run.state !== 'starting' && run.state !== 'error' ? run : undefined;
}

/**
 * The model a view sends for: the chosen one of the list (model-list.ts), its ref and the run id the engine
 * reads (the pre-training run's, or the fine-tuned model's); undefined while there is none to use.
 */
function viewTarget(s: AppState, key: string | undefined) {
  const chosen = chosenModel(s, key);
  if (!chosen) return undefined;
  if (!chosen.ref) return chosen.runId ? { runId: chosen.runId, chosen } : undefined;
  return { runId: chosen.runId ?? '', model: chosen.ref, chosen };
}

export function generate(): void {
  const s = get();
  const target = viewTarget(s, s.generation.modelKey);
  const { values, problems } = parseGenerationFields(s.generation.fields);
  if (!target || Object.keys(problems).length) return;
  const id = requestId('gen');
  s.clearErrors('generate');
  s.generationStarted(id, target.runId, s.generation.prompt);
  sendCommand({
    type: 'generate',
    request: {
      requestId: id,
      runId: target.runId,
      prompt: s.generation.prompt,
      maxTokens: values.maxTokens,
      temperature: values.temperature,
      topK: values.topK,
      seed: values.seed,
      ...(target.model ? { model: target.model } : {}),
    },
  });
}

/**
 * Asks for the next token's candidates after the generation prompt under its temperature and top-k (the
 * Generate panel's bars), when a model exists and both fields are valid.
 */
export function requestNextTokens(): void {
  const s = get();
  const target = viewTarget(s, s.generation.modelKey);
  const { values, problems } = parseGenerationFields(s.generation.fields);
  if (!target || problems.temperature || problems.topK || !s.generation.prompt) return;
  const id = requestId('next');
  const { temperature, topK } = values;
  const prompt = s.generation.prompt;
  s.nextTokensRequested(id, { prompt, temperature, topK });
  const model = target.model ? { model: target.model } : {};
  sendCommand({
    type: 'next-tokens',
    request: { requestId: id, runId: target.runId, prompt, temperature, topK, ...model },
  });
}

/** Fine-tuning runs (not comparisons) that finished, newest first: their models can show attention. */
export function finetunedModels(s: AppState = get()): FinetuneRun[] {
  return Object.values(s.finetuneRuns)
    .filter((r) => r.kind === 'finetune' && r.state === 'done')
    .sort((a, b) => b.startedAt - a.startedAt);
}

export function showAttention(): void {
  const s = get();
  if (!s.attention.text.trim()) return;
  const target = viewTarget(s, s.attention.modelKey);
  if (!target) return;
  const id = requestId('attn');
  s.clearErrors('attention');
  const { kind, runId } = target.chosen;
  const source =
    kind === 'fine-tuned' ? `fine-tuned model ${runId}` : kind === 'imported' ? 'imported model' : undefined;
  s.attentionRequested(id, target.runId, source);
  const model = target.model ? { model: target.model } : {};
  sendCommand({ type: 'attention', requestId: id, runId: target.runId, text: s.attention.text, ...model });
}
