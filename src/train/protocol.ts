// The typed protocol between the UI (main thread) and the engine worker that owns the GPUDevice.
// Commands go in, events come out; both are discriminated unions so every handler is checked.
import type { AdapterReport } from '../gpu/adapter-report.ts';
import type { SelfTestResult } from '../gpu/self-test.ts';
import type { UnavailableReason } from '../gpu/webgpu-unavailable.ts';

export type EngineCommand = { type: 'probe-device' };

export type EngineEvent =
  | { type: 'device-ready'; adapter: AdapterReport; selfTest: SelfTestResult }
  | { type: 'device-unavailable'; reason: UnavailableReason | 'error'; headline: string; advice: string[] }
  | { type: 'device-lost'; reason: string; message: string };
