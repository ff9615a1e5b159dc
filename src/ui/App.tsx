// The app shell: header with the device panel, and the tabs (real ARIA tabs via Radix).
import * as Tabs from '@radix-ui/react-tabs';
import { useEffect } from 'react';
import { AdapterPanel } from './components/AdapterPanel.tsx';
import { NoWebGpu } from './components/NoWebGpu.tsx';
import { ThemeToggle } from './components/ThemeToggle.tsx';
import { startEngine } from './engine-bridge.ts';
import { useAppStore } from './store/index.ts';
import { TABS, type TabId } from './store/ui-slice.ts';
import { TAB_DESCRIPTIONS } from './tab-descriptions.ts';
import { PlaceholderTab } from './tabs/PlaceholderTab.tsx';

export function App() {
  const device = useAppStore((s) => s.device);
  const tab = useAppStore((s) => s.tab);
  const setTab = useAppStore((s) => s.setTab);

  useEffect(() => {
    startEngine();
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          gpt1-lab <span className="subtitle">GPT-1 pre-training and fine-tuning on your GPU, in this tab</span>
        </h1>
        <ThemeToggle />
      </header>
      {device.status === 'unavailable' ? (
        <NoWebGpu headline={device.headline} advice={device.advice} />
      ) : (
        <>
          <AdapterPanel />
          <Tabs.Root value={tab} onValueChange={(value) => setTab(value as TabId)} className="tabs">
            <Tabs.List aria-label="Workspaces" className="tab-list">
              {TABS.map((t) => (
                <Tabs.Trigger key={t.id} value={t.id} className="tab">
                  {t.label}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
            {TABS.map((t) => (
              <Tabs.Content key={t.id} value={t.id} className="tab-panel">
                <PlaceholderTab title={t.label}>{TAB_DESCRIPTIONS[t.id]}</PlaceholderTab>
              </Tabs.Content>
            ))}
          </Tabs.Root>
        </>
      )}
    </div>
  );
}
