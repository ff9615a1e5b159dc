// The engine's dedicated module worker: it owns the GPUDevice so the UI thread never waits on the GPU.
// Thin by design: it decodes commands, calls engine code, and posts typed events.

import { browserGpu } from '../gpu/browser-gpu.ts';
import { openGpu } from '../gpu/device.ts';
import { runSelfTest } from '../gpu/self-test.ts';
import { WebGpuUnavailableError } from '../gpu/webgpu-unavailable.ts';
import type { EngineCommand, EngineEvent } from './protocol.ts';

const post = (event: EngineEvent) => self.postMessage(event);

async function probeDevice(): Promise<void> {
  try {
    const ctx = await openGpu(browserGpu(), { purpose: 'gpt1-lab engine' });
    ctx.onLost((info) => post({ type: 'device-lost', reason: info.reason, message: info.message }));
    const selfTest = await runSelfTest(ctx.device);
    post({ type: 'device-ready', adapter: ctx.adapter, selfTest });
  } catch (error) {
    if (error instanceof WebGpuUnavailableError) {
      post({
        type: 'device-unavailable',
        reason: error.reason,
        headline: WebGpuUnavailableError.headline(error.reason),
        advice: error.advice,
      });
    } else {
      post({ type: 'device-unavailable', reason: 'error', headline: String(error), advice: [] });
    }
  }
}

self.onmessage = (message: MessageEvent<EngineCommand>) => {
  const command = message.data;
  switch (command.type) {
    case 'probe-device':
      void probeDevice();
      break;
  }
};
