// Where UI commands go: the engine worker's client once the bridge has started it, or a sink set by tests.
import type { EngineCommand } from '../engine/protocol.ts';

type Sink = (command: EngineCommand, transfer?: Transferable[]) => void;

let sink: Sink | undefined;
const queued: [EngineCommand, Transferable[] | undefined][] = [];

/** Points commands at `next` (the worker client, or a test double) and sends anything queued before. */
export function setCommandSink(next: Sink | undefined): void {
  sink = next;
  if (sink) for (const [command, transfer] of queued.splice(0)) sink(command, transfer);
}

/** Sends a command; `transfer` moves big buffers (a corpus file's bytes) to the worker instead of copying. */
export function sendCommand(command: EngineCommand, transfer?: Transferable[]): void {
  if (sink) sink(command, transfer);
  else queued.push([command, transfer]);
}
