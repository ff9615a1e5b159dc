// Connects the engine worker to the store: one client for the page's lifetime.
import { EngineClient } from '../train/engine-client.ts';
import { useAppStore } from './store/index.ts';

let client: EngineClient | undefined;

export function startEngine(): EngineClient {
  if (client) return client;
  client = new EngineClient();
  client.subscribe((event) => useAppStore.getState().applyDeviceEvent(event));
  client.send({ type: 'probe-device' });
  return client;
}
