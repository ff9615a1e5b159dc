// One place for the system-Chromium launch settings used by Playwright and vitest browser mode.
// Debian's `chromium` ships SwiftShader (/usr/lib/chromium/libvk_swiftshader.so), which backs WebGPU
// on machines with no GPU. Playwright cannot download browsers here, so we always use this binary.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags shared by every launch that needs WebGPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root
  '--enable-unsafe-webgpu', // without it navigator.gpu exists but requestAdapter() resolves to null
  '--enable-features=Vulkan',
  // closed network: stop Chromium from dialing out at start-up
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The same launch without WebGPU: used to prove the app's "no WebGPU" message. */
export const CHROMIUM_ARGS_WITHOUT_WEBGPU = CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu');
