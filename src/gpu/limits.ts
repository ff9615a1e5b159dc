// Turns what a memory plan needs into `requiredLimits` for requestDevice, checked against what the
// adapter offers. A default device gets the spec's small defaults (128 MiB per storage binding) even
// when the adapter offers more, so the engine always asks for exactly what its plan needs.
import { formatBytes } from './adapter-report.ts';

/** Limits a plan may raise; each is "at least this much". */
export type LimitNeeds = Partial<Record<LimitName, number>>;
export type LimitName =
  | 'maxBufferSize'
  | 'maxStorageBufferBindingSize'
  | 'maxStorageBuffersPerShaderStage'
  | 'maxComputeWorkgroupStorageSize'
  | 'maxComputeInvocationsPerWorkgroup'
  | 'maxComputeWorkgroupSizeX'
  | 'maxComputeWorkgroupSizeY'
  | 'maxComputeWorkgroupsPerDimension';

const BYTE_LIMITS: ReadonlySet<LimitName> = new Set([
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
]);

/** Thrown when the adapter cannot give what the plan needs; names the limit and both sizes. */
export class GpuLimitError extends Error {
  constructor(
    readonly limit: LimitName,
    readonly needed: number,
    readonly available: number,
    readonly purpose: string,
  ) {
    const fmt = (n: number) => (BYTE_LIMITS.has(limit) ? `${formatBytes(n)} (${n} bytes)` : String(n));
    super(
      `This GPU cannot run ${purpose}: it needs ${limit} >= ${fmt(needed)}, ` +
        `but the adapter allows at most ${fmt(available)}. Try a smaller model, batch or context.`,
    );
    this.name = 'GpuLimitError';
  }
}

/**
 * Returns the `requiredLimits` to request: each need, checked against `available`.
 * Needs at or below the spec default are still requested (harmless) so the device is explicit.
 */
export function resolveRequiredLimits(
  needs: LimitNeeds,
  available: Readonly<Record<string, number | undefined>> | GPUSupportedLimits,
  purpose = 'this plan',
): Record<string, number> {
  const required: Record<string, number> = {};
  for (const [limit, needed] of Object.entries(needs) as [LimitName, number | undefined][]) {
    if (needed === undefined) continue;
    const offered = Number((available as Record<string, number | undefined>)[limit] ?? 0);
    if (needed > offered) throw new GpuLimitError(limit, needed, offered, purpose);
    required[limit] = needed;
  }
  return required;
}
