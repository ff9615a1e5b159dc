// The UI side of the engine worker: starts it, sends typed commands, fans events out to subscribers.
import type { EngineCommand, EngineEvent } from './protocol.ts';

export type EngineListener = (event: EngineEvent) => void;

export class EngineClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<EngineListener>();

  constructor() {
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects and bundles.
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    this.worker.onmessage = (message: MessageEvent<EngineEvent>) => {
      for (const listener of this.listeners) listener(message.data);
    };
    this.worker.onerror = (error) => {
      const event: EngineEvent = {
        type: 'device-unavailable',
        reason: 'error',
        headline: `The engine worker failed to start: ${error.message}`,
        advice: [],
      };
      for (const listener of this.listeners) listener(event);
    };
  }

  /** Posts a command; pass `transfer` to move big buffers (a corpus file's bytes) instead of copying them. */
  send(command: EngineCommand, transfer: Transferable[] = []): void {
    this.worker.postMessage(command, transfer);
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }
}
