// The GPU entry point in Node: Dawn from the npm `webgpu` package. Node-only (never imported by the app).
// Dawn needs a Vulkan driver; on machines without a GPU it uses Chromium's SwiftShader ICD.
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let cached: GPU | undefined;

/**
 * Dawn's GPU object. Installs Dawn's GPUBufferUsage/GPUMapMode/... globals, which Node lacks.
 * Falls back to SwiftShader when no Vulkan driver is configured and the ICD file exists.
 */
export async function nodeGpu(): Promise<GPU> {
  if (cached) return cached;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    // Set before dawn.node loads: the Vulkan loader reads it once.
    if (!process.env.GPT1_LAB_NATIVE_VULKAN) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  cached = create([]);
  return cached;
}
