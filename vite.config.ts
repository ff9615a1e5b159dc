// Vite config for the app, and the base that vitest.config.ts extends.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// COOP/COEP make the page crossOriginIsolated, which SharedArrayBuffer (metrics rings between the
// training worker and the UI) needs. WebGPU itself does not.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' }, // module workers; 'es' also allows code-splitting inside the worker
  // The dev server scans the app only: bench/browser/index.html imports the bench page's virtual peer
  // module, which exists only in builds made by the bench driver.
  optimizeDeps: { entries: ['index.html'] },
  build: { target: 'es2022', sourcemap: true },
});
