// The typed protocol between the UI (main thread) and the engine worker that owns the GPUDevice.
// Commands go in, events come out; both are discriminated unions so every handler is checked.
// Everything here is structured-clone data (no classes); big arrays travel as transferables.
import type { AdapterReport } from '../gpu/adapter-report.ts';
import type { SelfTestResult } from '../gpu/self-test.ts';
import type { UnavailableReason } from '../gpu/webgpu-unavailable.ts';
import type { Gpt1Config, PresetName } from '../model/config.ts';
import type { TokenizerChoice } from '../tokenizer/choose.ts';

/** A run's life: pause takes effect at a step boundary, so a paused model is consistent and saveable. */
export type RunState = 'preparing' | 'running' | 'pausing' | 'paused' | 'stopped' | 'done' | 'error';

export interface CorpusStats {
  name: string;
  bytes: number;
  chars: number;
  lines: number;
  distinctChars: number;
  /** The first ~2,000 characters. */
  preview: string;
}

export interface TokenizerStats {
  kind: 'char' | 'bpe' | 'gpt1';
  vocabSize: number;
  /** Tokens in the whole corpus. */
  tokens: number;
  charsPerToken: number;
  /** A sample line as the model sees it: token texts in order. */
  sample: { text: string; pieces: string[] };
}

export interface PlanSummary {
  parameters: number;
  /** Planned GPU bytes per class (param, grad, moment, activation, input, state) and the total. */
  bytesByClass: Record<string, number>;
  totalBytes: number;
  /** Whether the device can hold it (limits and, where known, memory). */
  fits: boolean;
  /** Why not, naming the limit and the sizes. */
  problem?: string;
}

export interface PretrainSettings {
  preset: PresetName | 'custom';
  config: Gpt1Config;
  B: number;
  T: number;
  steps: number;
  lr: number;
  seed: number;
  /** Validation loss every N steps. */
  evalEvery: number;
  /** A sample from `samplePrompt` every N steps (fixed sampling seed, so samples compare across steps). */
  sampleEvery: number;
  samplePrompt: string;
}

export interface StepMetrics {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokens: number;
  tokensPerSecond: number;
  msPerStep: number;
  /** Milliseconds since the run started (wall time axis). */
  elapsedMs: number;
}

export interface GenerateRequest {
  requestId: string;
  runId: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  seed: number;
}

export type EngineCommand =
  | { type: 'probe-device' }
  | { type: 'load-corpus'; name: string; bytes: ArrayBuffer }
  | { type: 'load-demo-corpus' }
  /**
   * `files`: the GPT-1 tokenizer's files (name and text) when `choice` is gpt1: encoder_bpe_40000.json +
   * vocab_40000.bpe (OpenAI) or vocab.json + merges.txt (Hugging Face). The app does not ship them.
   */
  | { type: 'prepare-tokenizer'; choice: TokenizerChoice; files?: { name: string; text: string }[] }
  | { type: 'plan'; config: Gpt1Config; B: number; T: number }
  | { type: 'start-pretrain'; runId: string; settings: PretrainSettings }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'step-once'; runId: string }
  | { type: 'stop'; runId: string }
  /** Continues a saved run (after a reload or a lost device); `paused` loads it without stepping. */
  | { type: 'resume-saved'; runId: string; paused?: boolean }
  /** Answered by 'saved-runs'. */
  | { type: 'list-saved-runs' }
  /** Deletes a saved run's folder, then answers with 'saved-runs'. */
  | { type: 'delete-saved'; runId: string }
  /** Test hook (C5): destroys the GPUDevice as a lost device would be lost. */
  | { type: 'debug-lose-device' }
  | { type: 'generate'; request: GenerateRequest }
  | { type: 'attention'; requestId: string; runId: string; text: string };

export type EngineEvent =
  | { type: 'device-ready'; adapter: AdapterReport; selfTest: SelfTestResult }
  | { type: 'device-unavailable'; reason: UnavailableReason | 'error'; headline: string; advice: string[] }
  | { type: 'device-lost'; reason: string; message: string }
  | { type: 'corpus-loaded'; stats: CorpusStats }
  | { type: 'tokenizer-progress'; done: number; total: number }
  | { type: 'tokenizer-ready'; stats: TokenizerStats }
  | { type: 'plan'; plan: PlanSummary }
  | { type: 'run-state'; runId: string; state: RunState; step: number; totalSteps: number; message?: string }
  | { type: 'metrics'; runId: string; points: StepMetrics[] }
  | { type: 'eval'; runId: string; step: number; valLoss: number }
  | { type: 'sample'; runId: string; step: number; prompt: string; text: string }
  | { type: 'checkpoint-saved'; runId: string; step: number; bytes: number }
  | {
      type: 'saved-runs';
      runs: { runId: string; step: number; totalSteps: number; savedAt: string; settings: PretrainSettings }[];
    }
  /** `text`: the new text since the previous event (append it); `fullText`: everything generated so far. */
  | { type: 'generated'; requestId: string; text: string; done: boolean; fullText?: string }
  | {
      type: 'attention-maps';
      requestId: string;
      tokens: string[];
      layers: number;
      heads: number;
      /** [layers, heads, T, T] probabilities, row-major. */
      data: Float32Array;
    }
  /** A failure tied to a command; `where` names the input (file, field) and nothing else changed. */
  | { type: 'error'; runId?: string; requestId?: string; where: string; message: string };
