// Builds the Node entry points (the CLI and the benchmark harness) into dist-node/ as ES modules.
// The engine's sources use Vite features (`?raw` WGSL imports, import.meta.glob), so Node code goes
// through the same transform as the app; `webgpu` (Dawn, a native addon) stays an external import.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    target: 'node22',
    outDir: 'dist-node',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { cli: 'src/cli/main.ts', bench: 'bench/main.ts' },
      external: ['webgpu', /^node:/],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
  logLevel: 'warn',
});
