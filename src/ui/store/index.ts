// The one zustand store, made of slices. Engine events reach it through the bridge in engine-bridge.ts.
import { create } from 'zustand';
import { createDeviceSlice, type DeviceSlice } from './device-slice.ts';
import { createUiSlice, type UiSlice } from './ui-slice.ts';

export type AppState = DeviceSlice & UiSlice;

export const useAppStore = create<AppState>()((...args) => ({
  ...createDeviceSlice(...args),
  ...createUiSlice(...args),
}));
