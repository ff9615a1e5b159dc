// Opening a GPUDevice the same way on the browser main thread, in a Web Worker and in Node.
// The caller passes the GPU object (browserGpu() or nodeGpu()) and the limits its memory plan needs;
// we check them against the adapter, request exactly those, and expose device loss as an event.
// Workgroup memory is the exception that is raised without being asked: kernel variants that use more than
// the spec's 16 KiB (the 128x128 matmul tile) are offered only on devices that allow them, so a device
// gets as much as the largest kernel uses, when the adapter offers it, and a smaller one simply runs the
// other variants (see src/gpu/workgroup-storage.ts).
import { type AdapterReport, describeAdapter } from './adapter-report.ts';
import { type LimitNeeds, resolveRequiredLimits } from './limits.ts';
import { unavailable } from './webgpu-unavailable.ts';
import { largestWorkgroupStorage } from './workgroup-storage.ts';

export interface OpenGpuOptions {
  /** Limits the caller's memory plan needs; checked against adapter.limits before requesting. */
  needs?: LimitNeeds;
  /** Optional features to enable when the adapter has them (e.g. 'timestamp-query'). */
  wantFeatures?: GPUFeatureName[];
  /** What the device is for, used in labels and error messages. */
  purpose?: string;
  /** Wrap object creation in error scopes (see error-scope.ts). Defaults to dev builds. */
  debug?: boolean;
  powerPreference?: GPUPowerPreference;
  /**
   * Ask for the workgroup memory of the largest kernel when the adapter offers it (default true); false
   * keeps the spec's default, as a device on a smaller adapter would have (tests of that device).
   */
  raiseWorkgroupStorage?: boolean;
}

/** The spec's default maxComputeWorkgroupStorageSize, what every adapter offers. */
const DEFAULT_WORKGROUP_STORAGE = 16384;

export type DeviceLostListener = (info: { reason: GPUDeviceLostReason; message: string }) => void;

/** An open device plus what the engine needs to know about it. */
export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterReport;
  /** Features actually enabled on the device. */
  features: ReadonlySet<string>;
  debug: boolean;
  /** Subscribe to device loss; returns an unsubscribe function. Fires at most once. */
  onLost(listener: DeviceLostListener): () => void;
  /** Resolves when the device is lost (including by destroy()). */
  lost: Promise<{ reason: GPUDeviceLostReason; message: string }>;
  destroy(): void;
}

function defaultDebug(): boolean {
  // import.meta.env exists under Vite (app, vitest); the Node CLI has no such object.
  return Boolean((import.meta as { env?: { DEV?: boolean } }).env?.DEV);
}

export async function requestAdapter(gpu: GPU, powerPreference?: GPUPowerPreference): Promise<GPUAdapter> {
  const adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  if (!adapter) throw unavailable('no-adapter');
  return adapter;
}

export async function openGpu(gpu: GPU, options: OpenGpuOptions = {}): Promise<GpuContext> {
  const purpose = options.purpose ?? 'gpt1-lab';
  const adapter = await requestAdapter(gpu, options.powerPreference);
  const requiredLimits = resolveRequiredLimits(options.needs ?? {}, adapter.limits, purpose);
  if (options.raiseWorkgroupStorage !== false && requiredLimits.maxComputeWorkgroupStorageSize === undefined) {
    const offered = adapter.limits.maxComputeWorkgroupStorageSize;
    const wanted = Math.min(offered, largestWorkgroupStorage());
    if (wanted > DEFAULT_WORKGROUP_STORAGE) requiredLimits.maxComputeWorkgroupStorageSize = wanted;
  }
  const requiredFeatures = (options.wantFeatures ?? []).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ label: purpose, requiredLimits, requiredFeatures });

  const listeners = new Set<DeviceLostListener>();
  const lost = device.lost.then((info) => {
    const event = { reason: info.reason, message: info.message };
    for (const listener of listeners) listener(event);
    listeners.clear();
    return event;
  });

  return {
    device,
    adapter: describeAdapter(adapter),
    features: new Set([...device.features].map(String)),
    debug: options.debug ?? defaultDebug(),
    onLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lost,
    destroy: () => device.destroy(),
  };
}
