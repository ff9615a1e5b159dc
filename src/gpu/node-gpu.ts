// The GPU entry point in Node: Dawn from the npm `webgpu` package. Node-only (never imported by the app).
// Dawn needs a Vulkan driver; on machines without a GPU it uses Chromium's SwiftShader ICD.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const cached = new Map<string, GPU>();

/**
 * Dawn's GPU object. Installs Dawn's GPUBufferUsage/GPUMapMode/... globals, which Node lacks.
 * Falls back to SwiftShader when no Vulkan driver is configured and the ICD file exists.
 * `flags` are Dawn's instance flags, e.g. 'disable-dawn-features=timestamp_quantization' (benchmarks).
 */
export async function nodeGpu(flags: readonly string[] = []): Promise<GPU> {
  const key = flags.join('\n');
  const existing = cached.get(key);
  if (existing) return existing;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    // Set before dawn.node loads: the Vulkan loader reads it once.
    if (!process.env.GPT1_LAB_NATIVE_VULKAN) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn's Vulkan setup prints "XDG_RUNTIME_DIR is invalid or not set" without one; give it a private dir.
    const dir = join(tmpdir(), `gpt1-lab-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([...flags]);
  cached.set(key, gpu);
  return gpu;
}
