// A plain, serialisable description of a GPUAdapter for the UI's device panel, the CLI's JSON output
// and benchmark reports. Plain data so it can cross a worker boundary with postMessage.

/** The limits the engine plans against; shown in the device panel. */
export const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
] as const satisfies readonly (keyof GPUSupportedLimits)[];

export type ReportedLimit = (typeof REPORTED_LIMITS)[number];

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader; allowed, but slow. */
  isFallbackAdapter: boolean;
  /** One line for headers and logs, e.g. "google / swiftshader". */
  name: string;
  features: string[];
  limits: Record<ReportedLimit, number>;
}

export function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const info = adapter.info;
  const limits = {} as Record<ReportedLimit, number>;
  for (const key of REPORTED_LIMITS) limits[key] = Number(adapter.limits[key]);
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Older implementations expose this on the adapter rather than on info.
    isFallbackAdapter: Boolean(
      (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
        (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    name: name || 'unknown adapter',
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

/** Human-readable byte counts for messages: 134217728 -> "128 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : value < 10 ? 2 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
