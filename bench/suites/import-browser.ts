// `npm run bench -- import-browser [--preset gpt1] [--dir DIR]`: imports a GPT-1-size Hugging Face folder
// (config.json + model.safetensors with random weights, GPT-1's original tokenizer files) into the app in
// Chromium through the folder picker, as a person would, and measures the time to "imported" and the memory
// the tab used on the way: the renderer process's resident set (the page and its engine worker, all JS heaps
// and ArrayBuffers together) sampled every 50 ms from /proc, and the page's own JS heap from DevTools.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OptionSpecs, parseOptions, UsageError } from '../../src/cli/args.ts';
import { PRESETS, type PresetName } from '../../src/model/config.ts';
import { exportHfCheckpoint } from '../../src/model/hf-format.ts';
import { parameterCount, parameterTable } from '../../src/model/params.ts';
import { initParams } from '../../src/model/weights.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test-support/chromium.ts';
import { REPO_ROOT } from '../paths.ts';
import { UnavailableError } from '../unavailable.ts';

export const importBrowserOptions = {
  preset: { type: 'string', help: 'model size to import: tiny | small | gpt1 (default gpt1, 116.5M parameters)' },
  dir: { type: 'string', help: 'the folder of GPT-1 tokenizer files (default ../shared/data/gpt1-tokenizer)' },
  'timeout-s': { type: 'number', help: 'give up after this many seconds (default 900)' },
} satisfies OptionSpecs;

const TOKENIZER_FILES = ['encoder_bpe_40000.json', 'vocab_40000.bpe'];
const MIB = 2 ** 20;

/** Resident set sizes (bytes) of this process's descendants that are Chromium renderers, by pid. */
function rendererRss(): Map<number, number> {
  const parentOf = new Map<number, number>();
  const rss = new Map<number, number>();
  const renderers = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(pid, Number(fields[1])); // ppid is the 4th field of /proc/<pid>/stat
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) {
        renderers.add(pid);
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        rss.set(pid, Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
      }
    } catch {
      // the process ended while we read it
    }
  }
  const mine = new Map<number, number>();
  for (const pid of renderers) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        mine.set(pid, rss.get(pid)!);
        break;
      }
    }
  }
  return mine;
}

function writeFolder(root: string, preset: PresetName, tokenizerDir: string): { params: number; bytes: number } {
  const config = { ...PRESETS[preset], vocabSize: 40478 };
  const { files } = exportHfCheckpoint(config, initParams(config, 1));
  let bytes = 0;
  for (const [name, data] of files) {
    writeFileSync(join(root, name), data);
    bytes += data.byteLength;
  }
  for (const name of TOKENIZER_FILES) {
    const data = readFileSync(join(tokenizerDir, name));
    writeFileSync(join(root, name), data);
    bytes += data.byteLength;
  }
  return { params: parameterCount(parameterTable(config)), bytes };
}

export async function importBrowserSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, importBrowserOptions);
  const preset = (o.preset ?? 'gpt1') as PresetName;
  if (!(preset in PRESETS)) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
  const tokenizerDir = o.dir ?? join(REPO_ROOT, '..', 'shared', 'data', 'gpt1-tokenizer');
  const missing = TOKENIZER_FILES.filter((f) => {
    try {
      readFileSync(join(tokenizerDir, f), { flag: 'r' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new UnavailableError(`GPT-1's tokenizer files are not in ${tokenizerDir} (--dir)`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const work = mkdtempSync(join(tmpdir(), 'gpt1-lab-import-'));
  const folder = join(work, `openai-gpt-${preset}`);
  mkdirSync(folder);
  const vite = await import('vite');
  const outDir = join(work, 'dist');
  let server: Awaited<ReturnType<typeof vite.preview>> | undefined;
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const written = writeFolder(folder, preset, tokenizerDir);
    log(`folder: ${(written.bytes / MIB).toFixed(1)} MiB, ${written.params.toLocaleString('en-US')} parameters`);
    const configFile = join(REPO_ROOT, 'vite.config.ts');
    await vite.build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await vite.preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0 } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview gave no local URL');
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`[chromium page error] ${error.message}`));
    await page.goto(url);
    await page.getByRole('tab', { name: 'Classification' }).click();
    await page.getByRole('radio', { name: 'Imported checkpoint' }).check();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapUsed = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    const baseline = [...rendererRss().values()].reduce((a, b) => a + b, 0);
    const baseHeap = await heapUsed();
    let peak = baseline;
    let peakHeap = baseHeap;
    const sampler = setInterval(() => {
      peak = Math.max(
        peak,
        [...rendererRss().values()].reduce((a, b) => a + b, 0),
      );
      void heapUsed().then(
        (h) => (peakHeap = Math.max(peakHeap, h)),
        () => {},
      );
    }, 50);
    const started = performance.now();
    await page.getByLabel('Checkpoint folder').setInputFiles(folder);
    const info = page.getByTestId('imported-info');
    await info.waitFor({ timeout: (o['timeout-s'] ?? 900) * 1000 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await page.waitForTimeout(2000); // then what the tab keeps, once transient buffers are collected
    const after = [...rendererRss().values()].reduce((a, b) => a + b, 0);
    const text = (await info.textContent()) ?? '';
    const result = {
      suite: 'import-browser',
      browser: `chromium ${browser.version()}`,
      date: new Date().toISOString(),
      preset,
      parameters: written.params,
      folderMiB: written.bytes / MIB,
      seconds,
      rendererBaselineMiB: baseline / MIB,
      rendererPeakMiB: peak / MIB,
      rendererPeakOverBaselineMiB: (peak - baseline) / MIB,
      rendererAfterOverBaselineMiB: (after - baseline) / MIB,
      pageHeapPeakOverBaselineMiB: (peakHeap - baseHeap) / MIB,
      imported: text,
    };
    log(
      `imported ${(written.bytes / MIB).toFixed(0)} MiB in ${seconds.toFixed(1)} s; the tab's renderer peaked ` +
        `${((peak - baseline) / MIB).toFixed(0)} MiB over its ${(baseline / MIB).toFixed(0)} MiB baseline ` +
        `(${((peak - baseline) / written.bytes).toFixed(2)}× the folder) and kept ${((after - baseline) / MIB).toFixed(0)} ` +
        `MiB 2 s later; the page's own JS heap rose by at most ` +
        `${((peakHeap - baseHeap) / MIB).toFixed(1)} MiB`,
    );
    return result;
  } finally {
    await browser.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  }
}
