// The GPU entry point in a browser: the main thread (Navigator) and Web Workers (WorkerNavigator)
// both expose navigator.gpu. Node uses node-gpu.ts instead.
import { unavailable } from './webgpu-unavailable.ts';

/** navigator.gpu, or a WebGpuUnavailableError saying what to do. */
export function browserGpu(): GPU {
  if (typeof isSecureContext === 'boolean' && !isSecureContext) throw unavailable('insecure-context');
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw unavailable('no-navigator-gpu');
  return gpu;
}
