// What a saved run holds besides the checkpoint folder itself (checkpoint.ts), so a run continues after a
// page reload with nothing else: run.json (settings, corpus name, dates), corpus.txt (the normalised corpus
// text: re-encoding it with the checkpoint's tokenizer gives the same ids), probe-sets.json (the zero-shot
// probe sets the run scores, so a resumed run goes on probing the same sets) and, per checkpoint,
// history.json (the metric, validation and zero-shot probe points so far, for the charts).
import type { StepMetrics } from '../train/lm-trainer.ts';
import type { ProbeSet } from '../train/probes/probe-sets.ts';
import type { ProbePoint } from '../train/probes/zero-shot.ts';
import type { PretrainSettings } from '../train/settings/pretrain-settings.ts';
import { RUN_MANIFEST } from './folder-store.ts';

export const CORPUS_FILE = 'corpus.txt';
export const HISTORY_FILE = 'history.json';
export const PROBE_SETS_FILE = 'probe-sets.json';
const RUN_FORMAT = 'gpt1-lab-run';

export interface RunManifest {
  format: typeof RUN_FORMAT;
  version: 1;
  runId: string;
  settings: PretrainSettings;
  corpusName: string;
  createdAt: string;
}

export interface RunHistory {
  metrics: StepMetrics[];
  evals: { step: number; valLoss: number }[];
  /** Zero-shot probe rounds (absent from runs saved before probes existed). */
  probes: ProbePoint[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function runFiles(
  manifest: Omit<RunManifest, 'format' | 'version'>,
  corpusText: string,
  probeSets?: readonly ProbeSet[],
): Map<string, Uint8Array> {
  const full: RunManifest = { format: RUN_FORMAT, version: 1, ...manifest };
  const files = new Map([
    [CORPUS_FILE, encoder.encode(corpusText)],
    [RUN_MANIFEST, encoder.encode(`${JSON.stringify(full, null, 1)}\n`)],
  ]);
  if (probeSets) files.set(PROBE_SETS_FILE, encoder.encode(JSON.stringify(probeSets)));
  return files;
}

const KINDS = new Set(['sentiment', 'acceptability', 'choice', 'winograd']);

/**
 * The probe sets saved with a run; undefined when the file is missing (runs saved before it existed) or
 * unreadable: probes are charts only, so a bad file never stops a run from resuming.
 */
export function parseProbeSets(bytes: Uint8Array | undefined): ProbeSet[] | undefined {
  if (!bytes) return undefined;
  try {
    const sets = JSON.parse(decoder.decode(bytes)) as ProbeSet[];
    const ok =
      Array.isArray(sets) &&
      sets.every((s) => s && KINDS.has(s.kind) && typeof s.name === 'string' && Array.isArray(s.items));
    return ok ? sets : undefined;
  } catch {
    return undefined;
  }
}

export function parseRunFiles(files: ReadonlyMap<string, Uint8Array>): {
  manifest: RunManifest;
  corpusText: string;
  probeSets?: ProbeSet[];
} {
  const manifestBytes = files.get(RUN_MANIFEST);
  const corpus = files.get(CORPUS_FILE);
  if (!manifestBytes || !corpus) throw new Error(`A saved run needs ${RUN_MANIFEST} and ${CORPUS_FILE}.`);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(decoder.decode(manifestBytes)) as RunManifest;
  } catch (error) {
    throw new Error(`${RUN_MANIFEST} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest?.format !== RUN_FORMAT || manifest.version !== 1) {
    throw new Error(`${RUN_MANIFEST}: not a version-1 ${RUN_FORMAT} manifest`);
  }
  if (typeof manifest.runId !== 'string' || !manifest.settings || typeof manifest.settings !== 'object') {
    throw new Error(`${RUN_MANIFEST}: runId or settings is missing`);
  }
  return { manifest, corpusText: decoder.decode(corpus), probeSets: parseProbeSets(files.get(PROBE_SETS_FILE)) };
}

export function encodeHistory(history: RunHistory): Uint8Array {
  return encoder.encode(JSON.stringify(history));
}

/** The history of a checkpoint; empty when the file is missing or unreadable (charts only, never fatal). */
export function parseHistory(bytes: Uint8Array | undefined): RunHistory {
  if (!bytes) return { metrics: [], evals: [], probes: [] };
  try {
    const parsed = JSON.parse(decoder.decode(bytes)) as RunHistory;
    return {
      metrics: Array.isArray(parsed.metrics) ? parsed.metrics : [],
      evals: Array.isArray(parsed.evals) ? parsed.evals : [],
      probes: Array.isArray(parsed.probes) ? parsed.probes : [],
    };
  } catch {
    return { metrics: [], evals: [], probes: [] };
  }
}
