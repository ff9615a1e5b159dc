// Device slice: what the engine worker found (adapter + self-test), or why WebGPU is unavailable; and the
// matmul kernel tuning choice (persisted in localStorage by reactions.ts) with the engine's last report.
import type { StateCreator } from 'zustand';
import type { EngineEvent, KernelTuningStatus } from '../../engine/protocol.ts';
import type { AdapterReport } from '../../gpu/adapter-report.ts';
import type { SelfTestResult } from '../../gpu/self-test.ts';

export type DeviceState =
  | { status: 'probing' }
  | { status: 'ready'; adapter: AdapterReport; selfTest: SelfTestResult }
  | { status: 'unavailable'; headline: string; advice: string[] }
  | { status: 'lost'; reason: string; message: string };

export interface KernelTuningState {
  enabled: boolean;
  /** The engine's last report; undefined until it sends one. */
  status?: KernelTuningStatus;
}

export const KERNEL_TUNING_KEY = 'gpt1-lab.kernel-tuning';

/** The saved choice: on unless the user turned it off (and on where there is no localStorage). */
function savedKernelTuning(): boolean {
  try {
    return globalThis.localStorage?.getItem(KERNEL_TUNING_KEY) !== 'off';
  } catch {
    return true; // storage blocked
  }
}

export interface DeviceSlice {
  device: DeviceState;
  applyDeviceEvent: (event: EngineEvent) => void;
  kernelTuning: KernelTuningState;
  setKernelTuning: (enabled: boolean) => void;
}

export const createDeviceSlice: StateCreator<DeviceSlice, [], [], DeviceSlice> = (set) => ({
  device: { status: 'probing' },
  kernelTuning: { enabled: savedKernelTuning() },
  setKernelTuning: (enabled) => set((s) => ({ kernelTuning: { ...s.kernelTuning, enabled } })),
  applyDeviceEvent: (event) => {
    switch (event.type) {
      case 'device-ready':
        set({ device: { status: 'ready', adapter: event.adapter, selfTest: event.selfTest } });
        break;
      case 'device-unavailable':
        set({ device: { status: 'unavailable', headline: event.headline, advice: event.advice } });
        break;
      case 'device-lost':
        set({ device: { status: 'lost', reason: event.reason, message: event.message } });
        break;
      case 'kernel-tuning': {
        const { type: _, ...status } = event;
        set((s) => ({ kernelTuning: { ...s.kernelTuning, status } }));
        break;
      }
    }
  },
});
