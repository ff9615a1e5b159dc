// Vite config for the app, and the base that vitest.config.ts extends.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { CONTENT_SECURITY_POLICY_HEADER, contentSecurityPolicy } from './csp.config.ts';

// COOP/COEP make the page crossOriginIsolated, which SharedArrayBuffer (metrics rings between the
// training worker and the UI) needs. WebGPU itself does not.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  server: { headers: isolation },
  // The built app as a host should serve it: the header adds frame-ancestors, which a <meta> policy cannot set.
  preview: { headers: { ...isolation, 'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER } },
  worker: { format: 'es' }, // module workers; 'es' also allows code-splitting inside the worker
  // The dev server scans the app only: bench/browser/index.html imports the bench page's virtual peer
  // module, which exists only in builds made by the bench driver.
  optimizeDeps: { entries: ['index.html'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    // Every browser with WebGPU preloads modules natively: the polyfill would only ship unused fetch() code.
    modulePreload: { polyfill: false },
  },
});
