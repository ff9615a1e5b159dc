// The Pretrain tab's zero-shot probe sets: the built-in ones (unless the person leaves them out) plus the
// probe files they dropped, each read by parseProbeFile. A file that cannot be read is listed with its error
// (the file, the line, what is wrong) and not used. Runs started afterwards score these sets; a run keeps the
// sets it started with (they are saved with it), so changing the files never changes a run's series.
import { parseProbeFile } from '../../train/probes/probe-files.ts';
import { builtinProbeSets, type ProbeSet } from '../../train/probes/probe-sets.ts';
import type { EmitFn, ProbeFileSummary } from '../protocol.ts';

/**
 * Items a round scores per file. A round holds training at a step boundary, so a whole training split (SST-2
 * has 67,349 sentences) would stall it for minutes; every dev set the paper reports fits under this.
 */
export const MAX_PROBE_ITEMS = 2000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ProbeFiles {
  private builtin = true;
  private fromFiles: ProbeSet[] = [];

  constructor(private readonly emit: EmitFn) {}

  /** The sets a run started now scores, in order: the built-in ones, then the files'. */
  get sets(): ProbeSet[] {
    return [...(this.builtin ? builtinProbeSets() : []), ...this.fromFiles];
  }

  /** Replaces the list; answers with what each file was read as. */
  set(builtin: boolean, files: readonly { name: string; bytes: Uint8Array }[]): void {
    const sets: ProbeSet[] = [];
    const summaries: ProbeFileSummary[] = [];
    const builtinNames = new Set(builtinProbeSets().map((s) => s.name));
    for (const { name, bytes } of files) {
      const file = { name, bytes: bytes.byteLength };
      // A set's name labels its series (chart, CSV, saved history): two series must never share one.
      if (sets.some((s) => s.name === name) || builtinNames.has(name)) {
        summaries.push({ ...file, status: 'error', message: `${name}: another probe set has this name; rename it` });
        continue;
      }
      try {
        const set = parseProbeFile(name, bytes);
        const used = Math.min(set.items.length, MAX_PROBE_ITEMS);
        sets.push({ ...set, items: set.items.slice(0, used) } as ProbeSet);
        summaries.push({ ...file, status: 'ok', kind: set.kind, items: set.items.length, used });
      } catch (error) {
        summaries.push({ ...file, status: 'error', message: messageOf(error) });
      }
    }
    this.builtin = builtin;
    this.fromFiles = sets;
    this.emit({ type: 'probe-files', builtin, files: summaries });
  }
}
