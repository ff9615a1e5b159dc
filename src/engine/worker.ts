// The engine's dedicated module worker: it owns the GPUDevice so the UI thread never waits on the GPU.
// Thin by design: it decodes commands, hands them to the Engine (engine.ts), and posts its typed
// events, transferring big arrays instead of copying them. Checkpoints, finished fine-tuning runs, kept fine-tuned
// models and the matmul tuner's choices go to OPFS where the browser has it.
import './csp-watch.ts'; // first: it must listen before any other module of the worker runs
import { browserGpu } from '../gpu/browser-gpu.ts';
import { memoryFinetuneStore } from '../storage/finetune-store.ts';
import { memoryFinetunedModelStore, opfsFinetunedModelStore } from '../storage/finetuned-model-store.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import { opfsFinetuneStore } from '../storage/opfs-finetune-store.ts';
import { opfsCheckpointStore } from '../storage/opfs-store.ts';
import { opfsTuningStore } from '../storage/opfs-tuning-store.ts';
import { Engine } from './engine.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

const post = (event: EngineEvent, transfer: Transferable[] = []) => self.postMessage(event, { transfer });

const engine = new Engine({
  emit: post,
  gpu: browserGpu,
  store: async () => (await opfsCheckpointStore()) ?? memoryCheckpointStore(),
  finetuneStore: async () => (await opfsFinetuneStore()) ?? memoryFinetuneStore(),
  finetunedModelStore: async () => (await opfsFinetunedModelStore()) ?? memoryFinetunedModelStore(),
  kernelTuningStore: () => opfsTuningStore(),
  kernelTuningLog: (line) => console.info(line),
});

self.onmessage = (message: MessageEvent<EngineCommand>) => {
  void engine.handle(message.data).catch((error: unknown) => {
    // Handlers report their own failures; this is the net for a bug in one of them.
    post({ type: 'error', where: message.data.type, message: error instanceof Error ? error.message : String(error) });
  });
};
