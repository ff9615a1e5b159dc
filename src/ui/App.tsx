// The app shell: header with the device panel, the alert region, and the tabs (real ARIA tabs via Radix).
// The settings a link carries are restored before the engine starts (and when a pasted link changes the
// hash), and the address follows the settings.
import * as Tabs from '@radix-ui/react-tabs';
import { useEffect } from 'react';
import { AdapterPanel } from './components/AdapterPanel.tsx';
import { AlertRegion } from './components/AlertRegion.tsx';
import { NoWebGpu } from './components/NoWebGpu.tsx';
import { ShareLinkButton } from './components/ShareLinkButton.tsx';
import { ShortcutsHelp } from './components/ShortcutsHelp.tsx';
import { ThemeToggle } from './components/ThemeToggle.tsx';
import { watchDocumentTitle } from './document-title.ts';
import { startEngine } from './engine-bridge.ts';
import { watchShortcuts } from './keyboard.ts';
import { restoreLinkedSettings, watchLinkedSettings } from './shared-settings.ts';
import { useAppStore } from './store/index.ts';
import { TABS, type TabId } from './store/ui-slice.ts';
import { AttentionTab } from './tabs/attention/AttentionTab.tsx';
import { PretrainTab } from './tabs/pretrain/PretrainTab.tsx';
import { RunsTab } from './tabs/runs/RunsTab.tsx';
import { TaskTab } from './tabs/tasks/TaskTab.tsx';

let restored = false;

/** The link's settings apply once per page (StrictMode runs effects twice in development). */
function restoreLinkedSettingsOnce(): void {
  if (restored) return;
  restored = true;
  restoreLinkedSettings();
}

function TabBody({ id }: { id: TabId }) {
  switch (id) {
    case 'pretrain':
      return <PretrainTab />;
    case 'attention':
      return <AttentionTab />;
    case 'runs':
      return <RunsTab />;
    case 'classification':
    case 'entailment':
    case 'similarity':
    case 'multiple-choice':
      return <TaskTab family={id} />;
  }
}

export function App() {
  const device = useAppStore((s) => s.device);
  const tab = useAppStore((s) => s.tab);
  const setTab = useAppStore((s) => s.setTab);
  const setHelpOpen = useAppStore((s) => s.setHelpOpen);

  useEffect(() => {
    restoreLinkedSettingsOnce();
    const stopLink = watchLinkedSettings();
    // A link pasted into this tab's address bar changes only the hash: apply it too.
    window.addEventListener('hashchange', restoreLinkedSettings);
    startEngine();
    const stopTitle = watchDocumentTitle();
    const stopKeys = watchShortcuts();
    return () => {
      stopTitle();
      stopKeys();
      stopLink();
      window.removeEventListener('hashchange', restoreLinkedSettings);
    };
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          gpt1-lab <span className="subtitle">GPT-1 pre-training and fine-tuning on your GPU, in this tab</span>
        </h1>
        <div className="header-tools">
          <ShareLinkButton />
          <button type="button" className="link-button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            Shortcuts <kbd>?</kbd>
          </button>
          <ThemeToggle />
        </div>
      </header>
      {device.status === 'unavailable' ? (
        <NoWebGpu headline={device.headline} advice={device.advice} />
      ) : (
        <>
          <AdapterPanel />
          <AlertRegion />
          <Tabs.Root value={tab} onValueChange={(value) => setTab(value as TabId)} className="tabs">
            <Tabs.List aria-label="Workspaces" className="tab-list">
              {TABS.map((t) => (
                <Tabs.Trigger key={t.id} value={t.id} className="tab">
                  {t.label}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
            {TABS.map((t) => (
              // Every panel stays mounted (hidden when inactive): switching tabs is then a style change, not
              // a re-mount of charts and canvases inside the click, which would block the main thread.
              <Tabs.Content key={t.id} value={t.id} className="tab-panel" forceMount hidden={tab !== t.id}>
                <TabBody id={t.id} />
              </Tabs.Content>
            ))}
          </Tabs.Root>
        </>
      )}
      <ShortcutsHelp />
    </div>
  );
}
