// vitest setup for the node project: Dawn (npm `webgpu`) on SwiftShader.
import { nodeGpu } from '../src/gpu/node-gpu.ts';

globalThis.__testRuntime = 'node';
globalThis.__testGpu = await nodeGpu();
