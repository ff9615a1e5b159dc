// The one error type for "this environment has no usable WebGPU", with advice the UI shows verbatim.

export type UnavailableReason = 'no-navigator-gpu' | 'no-adapter' | 'insecure-context';

export class WebGpuUnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    readonly advice: string[],
  ) {
    super(`${WebGpuUnavailableError.headline(reason)} ${advice.join(' ')}`);
    this.name = 'WebGpuUnavailableError';
  }

  static headline(reason: UnavailableReason): string {
    switch (reason) {
      case 'insecure-context':
        return 'WebGPU needs a secure context (https:// or http://localhost).';
      case 'no-navigator-gpu':
        return 'This browser does not expose WebGPU (navigator.gpu is missing).';
      case 'no-adapter':
        return 'WebGPU is present but no GPU adapter was found (requestAdapter() returned null).';
    }
  }
}

const BROWSER_ADVICE = [
  'Use Chrome or Edge 113+, Firefox 141+ (Windows) or Safari 26+.',
  'On Linux Chrome/Chromium, start it with --enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu.',
  'Check chrome://gpu for "WebGPU: Hardware accelerated"; update the GPU driver if it is blocklisted.',
];

const ADAPTER_ADVICE = [
  'The browser found no usable GPU: the driver may be blocklisted or WebGPU disabled by a flag or policy.',
  'On Linux Chrome/Chromium, start it with --enable-unsafe-webgpu; check chrome://gpu; update the GPU driver.',
];

export function unavailable(reason: UnavailableReason): WebGpuUnavailableError {
  if (reason === 'insecure-context') {
    return new WebGpuUnavailableError(reason, ['Open the app from https:// or http://localhost.']);
  }
  return new WebGpuUnavailableError(reason, reason === 'no-adapter' ? ADAPTER_ADVICE : BROWSER_ADVICE);
}
