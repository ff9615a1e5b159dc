// Connects the engine worker to the store: one client for the page's lifetime and its one subscriber. Each
// event goes to the store (apply-event.ts) and then to the reactions that send follow-up commands
// (reactions.ts); commands go out via engine-port.ts. The kernel-tuning choice goes out before anything can
// compile.
import { EngineClient } from '../engine/client.ts';
import { setCommandSink } from './engine-port.ts';
import { reactToEvent, watchForm, watchKernelTuning, watchNextTokens } from './reactions.ts';
import { applyEngineEvent } from './store/apply-event.ts';
import { useAppStore } from './store/index.ts';

let client: EngineClient | undefined;

export function startEngine(): EngineClient {
  if (client) return client;
  const started = new EngineClient();
  client = started;
  started.subscribe((event) => {
    const before = useAppStore.getState();
    applyEngineEvent(event);
    reactToEvent(event, before);
  });
  watchForm();
  watchNextTokens();
  watchKernelTuning();
  started.send({ type: 'probe-device' });
  setCommandSink((command, transfer) => started.send(command, transfer));
  return started;
}
