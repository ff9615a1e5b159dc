// Two vitest projects over the same sources:
//   node    - CPU tests (*.test.ts) and GPU tests (*.gpu.test.ts) through Dawn (npm `webgpu`) on SwiftShader
//   browser - GPU tests (*.gpu.test.ts) and browser-only tests (*.browser.test.ts) in Debian's Chromium
// GPU tests are written once and run in both, so every WGSL entry point is proven in Node and in Chromium.
import { playwright } from '@vitest/browser-playwright';
import { defaultExclude, defineConfig, mergeConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test-support/chromium.ts';
import viteConfig from './vite.config.ts';

// Dawn finds no usable adapter with Debian's lavapipe; point the Vulkan loader at Chromium's
// SwiftShader ICD. Set in the main process so forked test workers inherit it before dawn.node loads.
process.env.VK_ICD_FILENAMES ||= '/usr/lib/chromium/vk_swiftshader_icd.json';

const TIMEOUT_MS = 120_000; // SwiftShader runs on two CPU cores

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            environment: 'node',
            include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
            // Setting exclude drops vitest's default, which keeps bench/peer/node_modules out.
            exclude: [...defaultExclude, 'src/**/*.browser.test.ts'],
            setupFiles: ['test-support/setup-node-gpu.ts'],
            testTimeout: TIMEOUT_MS,
            hookTimeout: TIMEOUT_MS,
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            include: ['src/**/*.gpu.test.ts', 'src/**/*.browser.test.{ts,tsx}'],
            setupFiles: ['test-support/setup-browser-gpu.ts'],
            testTimeout: TIMEOUT_MS,
            hookTimeout: TIMEOUT_MS,
            browser: {
              enabled: true,
              headless: true,
              provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
              instances: [{ browser: 'chromium' }],
            },
          },
        },
      ],
    },
  }),
);
