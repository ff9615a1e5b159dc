// Device slice: what the engine worker found (adapter + self-test), or why WebGPU is unavailable.
import type { StateCreator } from 'zustand';
import type { AdapterReport } from '../../gpu/adapter-report.ts';
import type { SelfTestResult } from '../../gpu/self-test.ts';
import type { EngineEvent } from '../../train/protocol.ts';

export type DeviceState =
  | { status: 'probing' }
  | { status: 'ready'; adapter: AdapterReport; selfTest: SelfTestResult }
  | { status: 'unavailable'; headline: string; advice: string[] }
  | { status: 'lost'; reason: string; message: string };

export interface DeviceSlice {
  device: DeviceState;
  applyDeviceEvent: (event: EngineEvent) => void;
}

export const createDeviceSlice: StateCreator<DeviceSlice, [], [], DeviceSlice> = (set) => ({
  device: { status: 'probing' },
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
    }
  },
});
