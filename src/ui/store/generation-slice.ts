// Generation slice: the generation box's settings (as typed) and the text streaming back for the latest request.
import type { StateCreator } from 'zustand';

export const GENERATION_FIELDS = ['temperature', 'topK', 'maxTokens', 'seed'] as const;
export type GenerationField = (typeof GENERATION_FIELDS)[number];

export const DEFAULT_PROMPT = 'The ';

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

export function parseGenerationFields(fields: Record<GenerationField, string>): {
  values: Record<GenerationField, number>;
  problems: Partial<Record<GenerationField, string>>;
} {
  const values = {} as Record<GenerationField, number>;
  const problems: Partial<Record<GenerationField, string>> = {};
  const rules: Record<GenerationField, [number, number, boolean]> = {
    temperature: [0, 5, false],
    topK: [0, 65536, true],
    maxTokens: [1, 4096, true],
    seed: [0, 2 ** 32 - 1, true],
  };
  for (const field of GENERATION_FIELDS) {
    const [min, max, integer] = rules[field];
    const value = Number(fields[field].trim());
    values[field] = value;
    if (fields[field].trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      problems[field] = `From ${min} to ${max}.`;
    } else if (integer && !Number.isInteger(value)) problems[field] = 'A whole number.';
  }
  return { values, problems };
}

export const createGenerationSlice: StateCreator<GenerationSlice, [], [], GenerationSlice> = (set) => ({
  generation: {
    prompt: DEFAULT_PROMPT,
    fields: { temperature: '0.8', topK: '40', maxTokens: '200', seed: '42' },
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
