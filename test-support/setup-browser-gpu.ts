// vitest setup for the browser project: Chromium's navigator.gpu (SwiftShader on CI machines).
globalThis.__testRuntime = 'browser';
globalThis.__testGpu = navigator.gpu;
