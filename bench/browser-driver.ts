// Runs the bench page (bench/browser/) in Chromium from Node: builds it with Vite into a temporary folder
// (never part of the app's bundle), serves it with `vite preview` on a free port, opens it with Playwright
// in Debian's Chromium (test-support/chromium.ts flags, plus unquantized timestamps), forwards its console
// to stderr and returns what the page left in window.__bench. Vite and Playwright load only when used.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test-support/chromium.ts';
import { REPO_ROOT } from './paths.ts';

export interface PeerPackage {
  /** Absolute path of the package's browser entry (its exports["."]). */
  entry: string;
  version: string;
  dir: string;
}

/** The tiny npm project that pins the peer and its whole tree (bench/peer/package-lock.json). */
const PEER_PROJECT = join(REPO_ROOT, 'bench', 'peer');

/**
 * @genai-fi/nanogpt from `dir` (a folder holding its package.json) when given; else from bench/peer's
 * node_modules (`npm run bench:peer-setup`), then from the project's own node_modules.
 */
export function findPeerPackage(dir?: string): PeerPackage | undefined {
  const roots = dir
    ? [resolve(dir)]
    : [PEER_PROJECT, REPO_ROOT].map((project) => join(project, 'node_modules', '@genai-fi', 'nanogpt'));
  const root = roots.find((candidate) => existsSync(join(candidate, 'package.json')));
  if (!root) return undefined;
  const manifest = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    name?: string;
    version?: string;
    main?: string;
    exports?: Record<string, string>;
  };
  if (pkg.name !== '@genai-fi/nanogpt') throw new Error(`${manifest} is ${pkg.name}, not @genai-fi/nanogpt`);
  return {
    entry: join(root, pkg.exports?.['.'] ?? pkg.main ?? 'dist/main.js'),
    version: pkg.version ?? '?',
    dir: root,
  };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

const PEER_ID = 'virtual:nanogpt-peer';

function peerModuleSource(peer: PeerPackage | undefined): string {
  if (!peer) return 'export const peerVersion = undefined;\nexport const loadPeer = undefined;\n';
  return `export const peerVersion = ${JSON.stringify(peer.version)};\nexport const loadPeer = () => import(${JSON.stringify(peer.entry)});\n`;
}

export interface PageRun {
  mode: 'train' | 'peer';
  spec: object;
  peer?: PeerPackage;
  timeoutS: number;
  log: (line: string) => void;
}

export interface PageOutcome {
  result: unknown;
  browserVersion: string;
}

export async function runBenchPage(run: PageRun): Promise<PageOutcome> {
  const vite = await import('vite');
  const root = join(REPO_ROOT, 'bench', 'browser');
  const outDir = mkdtempSync(join(tmpdir(), 'gpt1-lab-bench-page-'));
  const started = performance.now();
  await vite.build({
    root,
    configFile: false,
    base: './',
    logLevel: 'warn',
    plugins: [
      {
        name: 'nanogpt-peer',
        resolveId: (id) => (id === PEER_ID ? `\0${PEER_ID}` : undefined),
        load: (id) => (id === `\0${PEER_ID}` ? peerModuleSource(run.peer) : undefined),
      },
    ],
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1 << 20, reportCompressedSize: false },
  });
  run.log(`bench page built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const port = await freePort();
  const server = await vite.preview({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1' },
  });
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--disable-dawn-features=timestamp_quantization'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => run.log(`[chromium ${msg.type()}] ${msg.text().slice(0, 400)}`));
    page.on('pageerror', (error) => run.log(`[chromium page error] ${error.message}`));
    const query = new URLSearchParams({ mode: run.mode, spec: JSON.stringify(run.spec) });
    await page.goto(`http://127.0.0.1:${port}/?${query}`);
    await page.waitForFunction(() => window.__bench?.done === true, undefined, {
      timeout: run.timeoutS * 1000,
      polling: 500,
    });
    const state = await page.evaluate(() => window.__bench);
    if (!state || state.error !== undefined) throw new Error(`bench page failed: ${state?.error ?? 'no result'}`);
    return { result: state.result, browserVersion: browser.version() };
  } finally {
    await browser.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
