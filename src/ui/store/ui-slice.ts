// UI slice: the selected tab, the colour scheme (saved in this browser and applied by theme.ts) and the help
// overlay.
import type { StateCreator } from 'zustand';
import { savedTheme } from '../theme.ts';

export const TABS = [
  { id: 'pretrain', label: 'Pretrain' },
  { id: 'classification', label: 'Classification' },
  { id: 'entailment', label: 'Entailment' },
  { id: 'similarity', label: 'Similarity' },
  { id: 'multiple-choice', label: 'Multiple choice' },
  { id: 'attention', label: 'Attention' },
  { id: 'runs', label: 'Runs' },
] as const;

export type TabId = (typeof TABS)[number]['id'];
export type Theme = 'system' | 'light' | 'dark';

export interface UiSlice {
  tab: TabId;
  theme: Theme;
  setTab: (tab: TabId) => void;
  setTheme: (theme: Theme) => void;
  /** The keyboard-shortcut help overlay. */
  helpOpen: boolean;
  setHelpOpen: (open: boolean) => void;
}

export const createUiSlice: StateCreator<UiSlice, [], [], UiSlice> = (set) => ({
  tab: 'pretrain',
  theme: savedTheme() ?? 'system',
  setTab: (tab) => set({ tab }),
  setTheme: (theme) => set({ theme }),
  helpOpen: false,
  setHelpOpen: (helpOpen) => set({ helpOpen }),
});
