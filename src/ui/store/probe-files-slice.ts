// Probe files slice: the zero-shot probe sets the next pre-training run scores, as the person chose them:
// whether the built-in sets are in, and each dropped probe file with what the worker read it as (its kind
// and items) or its error. The files' bytes stay outside the store (tabs/pretrain/probe-file-actions.ts).
import type { StateCreator } from 'zustand';
import type { PretrainSettings, ProbeFileSummary } from '../../engine/protocol.ts';
import { builtinProbeSets } from '../../train/probes/probe-sets.ts';

/** A probe file as listed: being read by the worker, or its summary. */
export type ProbeFileRow = ProbeFileSummary | { name: string; bytes: number; status: 'reading' };

export interface ProbeFilesSlice {
  probeFiles: { builtin: boolean; files: ProbeFileRow[] };
  /** The person changed the list (sent to the worker); files not read yet show as reading. */
  probeFilesChanged: (builtin: boolean, files: { name: string; bytes: number }[]) => void;
  /** The worker's answer: what each file was read as. */
  probeFilesRead: (builtin: boolean, files: ProbeFileSummary[]) => void;
}

const BUILTIN_NAMES = builtinProbeSets().map((s) => s.name);

/** The probe sets a run started now will score, by name (none when its probe interval is 0). */
export function probeSetsAtStart(state: ProbeFilesSlice, settings: PretrainSettings): string[] {
  if ((settings.probeEvery ?? 0) <= 0) return [];
  const { builtin, files } = state.probeFiles;
  return [...(builtin ? BUILTIN_NAMES : []), ...files.filter((f) => f.status === 'ok').map((f) => f.name)];
}

export const createProbeFilesSlice: StateCreator<ProbeFilesSlice, [], [], ProbeFilesSlice> = (set) => ({
  probeFiles: { builtin: true, files: [] },
  probeFilesChanged: (builtin, files) =>
    set((s) => ({
      probeFiles: {
        builtin,
        files: files.map(
          (f) =>
            s.probeFiles.files.find(
              (row) => row.name === f.name && row.bytes === f.bytes && row.status !== 'reading',
            ) ?? {
              ...f,
              status: 'reading' as const,
            },
        ),
      },
    })),
  probeFilesRead: (builtin, files) => set({ probeFiles: { builtin, files } }),
});
