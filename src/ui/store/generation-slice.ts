// Generation slice: the generation box's settings (as typed; defaults and bounds from the generation schema)
// and the text streaming back for the latest request.
import type { StateCreator } from 'zustand';
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
    fields: Record<GenerationField, string>;
    requestId?: string;
    runId?: string;
    /** The prompt of the latest request (shown before its continuation). */
    requestPrompt: string;
    /** The continuation (the worker streams the generated tokens only, not the prompt). */
    text: string;
    status: 'idle' | 'streaming' | 'done' | 'error';
  };
  setGenerationPrompt: (prompt: string) => void;
  setGenerationField: (field: GenerationField, value: string) => void;
  generationStarted: (requestId: string, runId: string, prompt: string) => void;
  /** `text` is the new piece; `fullText`, when sent, is everything so far and wins. */
  generationChunk: (requestId: string, text: string, done: boolean, fullText?: string) => void;
  generationFailed: (requestId: string) => void;
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

export const createGenerationSlice: StateCreator<GenerationSlice, [], [], GenerationSlice> = (set) => ({
  generation: {
    prompt: DEFAULT_PROMPT,
    fields: {
      temperature: defaultText('temperature'),
      topK: defaultText('topK'),
      maxTokens: defaultText('maxTokens'),
      seed: defaultText('seed'),
    },
    requestPrompt: '',
    text: '',
    status: 'idle',
  },
  setGenerationPrompt: (prompt) => set((s) => ({ generation: { ...s.generation, prompt } })),
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
});
