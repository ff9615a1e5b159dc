// Generation slice: the generation box's settings (as typed; defaults and bounds from the generation schema),
// the text streaming back for the latest request, and the next-token view's candidates for the prompt.
import type { StateCreator } from 'zustand';
import type { NextToken } from '../../engine/protocol.ts';
import { fieldText, formProblem, parseFieldText } from '../../train/settings/field.ts';
import { GENERATE_DEFAULTS, GENERATE_FIELDS } from '../../train/settings/generate-settings.ts';
import { DEFAULT_SAMPLE_PROMPT } from '../../train/settings/pretrain-settings.ts';

export const GENERATION_FIELDS = ['temperature', 'topK', 'maxTokens', 'seed'] as const;
export type GenerationField = (typeof GENERATION_FIELDS)[number];

/** The generation box starts from the same prompt as a run's samples. */
export const DEFAULT_PROMPT = DEFAULT_SAMPLE_PROMPT;

export interface GenerationSlice {
  generation: {
    prompt: string;
    /** The model generated from (a model-list key); absent: the current pre-training run. */
    modelKey?: string;
    fields: Record<GenerationField, string>;
    requestId?: string;
    runId?: string;
    /** The prompt of the latest request (shown before its continuation). */
    requestPrompt: string;
    /** The continuation (the worker streams the generated tokens only, not the prompt). */
    text: string;
    status: 'idle' | 'streaming' | 'done' | 'error';
  };
  /** The next token's candidates after the prompt, under the box's temperature and top-k. */
  nextTokens: {
    requestId?: string;
    /** The prompt and sampling the shown tokens are for. */
    shownFor?: { prompt: string; temperature: number; topK: number };
    tokens: NextToken[];
    status: 'idle' | 'loading' | 'ready' | 'error';
    /** What the request in flight is for. */
    pending?: { prompt: string; temperature: number; topK: number };
  };
  setGenerationPrompt: (prompt: string) => void;
  setGenerationModel: (modelKey: string | undefined) => void;
  setGenerationField: (field: GenerationField, value: string) => void;
  generationStarted: (requestId: string, runId: string, prompt: string) => void;
  /** `text` is the new piece; `fullText`, when sent, is everything so far and wins. */
  generationChunk: (requestId: string, text: string, done: boolean, fullText?: string) => void;
  generationFailed: (requestId: string) => void;
  nextTokensRequested: (requestId: string, shownFor: { prompt: string; temperature: number; topK: number }) => void;
  nextTokensReceived: (requestId: string, tokens: NextToken[]) => void;
  nextTokensFailed: (requestId: string) => void;
}

/** The generation box's fields as settings, with a problem per field (the generation schema's bounds). */
export function parseGenerationFields(fields: Record<GenerationField, string>): {
  values: Record<GenerationField, number>;
  problems: Partial<Record<GenerationField, string>>;
} {
  const values = {} as Record<GenerationField, number>;
  const problems: Partial<Record<GenerationField, string>> = {};
  for (const field of GENERATION_FIELDS) {
    values[field] = parseFieldText(GENERATE_FIELDS[field], fields[field]) ?? Number.NaN;
    const problem = formProblem(GENERATE_FIELDS[field], fields[field]);
    if (problem) problems[field] = problem;
  }
  return { values, problems };
}

const defaultText = (field: GenerationField) => fieldText(GENERATE_FIELDS[field], GENERATE_DEFAULTS[field]);

/** The box's fields before anyone edits them. */
export const DEFAULT_GENERATION_FIELDS: Record<GenerationField, string> = {
  temperature: defaultText('temperature'),
  topK: defaultText('topK'),
  maxTokens: defaultText('maxTokens'),
  seed: defaultText('seed'),
};

export const createGenerationSlice: StateCreator<GenerationSlice, [], [], GenerationSlice> = (set) => ({
  generation: {
    prompt: DEFAULT_PROMPT,
    fields: DEFAULT_GENERATION_FIELDS,
    requestPrompt: '',
    text: '',
    status: 'idle',
  },
  nextTokens: { tokens: [], status: 'idle' },
  setGenerationPrompt: (prompt) => set((s) => ({ generation: { ...s.generation, prompt } })),
  setGenerationModel: (modelKey) => set((s) => ({ generation: { ...s.generation, modelKey } })),
  setGenerationField: (field, value) =>
    set((s) => ({ generation: { ...s.generation, fields: { ...s.generation.fields, [field]: value } } })),
  generationStarted: (requestId, runId, requestPrompt) =>
    set((s) => ({ generation: { ...s.generation, requestId, runId, requestPrompt, text: '', status: 'streaming' } })),
  generationChunk: (requestId, text, done, fullText) =>
    set((s) =>
      s.generation.requestId === requestId
        ? {
            generation: {
              ...s.generation,
              text: fullText ?? s.generation.text + text,
              status: done ? 'done' : 'streaming',
            },
          }
        : {},
    ),
  generationFailed: (requestId) =>
    set((s) => (s.generation.requestId === requestId ? { generation: { ...s.generation, status: 'error' } } : {})),
  // The shown tokens stay until the new ones arrive (no flicker while temperature or top-k are dragged).
  nextTokensRequested: (requestId, shownFor) =>
    set((s) => ({ nextTokens: { ...s.nextTokens, requestId, status: 'loading', pending: shownFor } })),
  nextTokensReceived: (requestId, tokens) =>
    set((s) =>
      s.nextTokens.requestId === requestId
        ? { nextTokens: { requestId, tokens, status: 'ready', shownFor: s.nextTokens.pending } }
        : {},
    ),
  nextTokensFailed: (requestId) =>
    set((s) => (s.nextTokens.requestId === requestId ? { nextTokens: { ...s.nextTokens, status: 'error' } } : {})),
});
