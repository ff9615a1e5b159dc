// "Nothing leaves the page", tested: the built app carries its Content-Security-Policy (csp.config.ts) in its
// HTML and its preview headers, the browser enforces it (an inline script and a request to another origin are
// refused and reported, which also proves the recorder hears violations), the scripts it loads hold no network
// code (papaparse's XMLHttpRequest loader once shipped unused), and a whole journey (pretrain, generate, export,
// attention, fine-tune, the Runs tab) sends no request off this origin and violates nothing: neither in the
// page (recorded from before its first script) nor in the engine worker (which reports its own refusals).
import { readFileSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER } from '../csp.config.ts';
import { test as base, expect, secondsSince } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { sst2Slice } from './pages/tasks-page.ts';
import { Traffic } from './pages/traffic.ts';

/** The page is opened only once the recorder runs, so the first request is recorded too. */
const test = base.extend<{ traffic: Traffic }>({
  traffic: async ({ context, page, baseURL }, use) =>
    use(await Traffic.record(context, page, new URL(baseURL!).origin)),
  shell: async ({ page, traffic: _recording }, use) => use(await new ShellPage(page).open()),
});

test.describe.configure({ timeout: 3 * TRAINING_TIMEOUT });

/** Ways a script could talk to a server; none may be in the shipped code. */
const NETWORK_CODE: [string, RegExp][] = [
  ['XMLHttpRequest (as in papaparse’s remote loader)', /XMLHttpRequest/],
  ['papaparse’s remote download', /RemoteChunkSize/],
  ['fetch()', /\bfetch\(/],
  ['WebSocket', /\bWebSocket\b/],
  ['EventSource', /\bEventSource\b/],
  ['navigator.sendBeacon', /\bsendBeacon\b/],
  ['importScripts', /\bimportScripts\b/],
];

test('the built app carries its Content-Security-Policy, the browser enforces it, and no script has network code', async ({
  shell,
  traffic,
  request,
}) => {
  const { page } = shell;
  await test.step('the policy: in the built HTML and in the preview server’s headers', async () => {
    await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
      'content',
      CONTENT_SECURITY_POLICY,
    );
    const served = await request.get('/');
    expect(served.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY_HEADER);
    expect(readFileSync('dist/index.html', 'utf8')).toContain(`content="${CONTENT_SECURITY_POLICY}"`);
  });

  await test.step('the scripts of the page and of its engine worker hold no network code', async () => {
    const scripts = traffic.requests.filter((url) => new URL(url).pathname.endsWith('.js'));
    expect(
      scripts.some((url) => /\/assets\/index-[\w-]+\.js$/.test(url)),
      scripts.join(', '),
    ).toBe(true);
    expect(
      scripts.some((url) => /\/assets\/worker-[\w-]+\.js$/.test(url)),
      scripts.join(', '),
    ).toBe(true);
    for (const url of scripts) {
      const code = await (await request.get(url)).text();
      for (const [what, pattern] of NETWORK_CODE) expect(code, `${what} in ${url}`).not.toMatch(pattern);
    }
  });

  await test.step('enforced: an inline script does not run, a request elsewhere is refused, both reported', async () => {
    expect(await traffic.violations()).toEqual([]);
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inlineRan = "yes"';
      document.head.append(script);
      return document.body.dataset.inlineRan ?? 'no';
    });
    expect(ran).toBe('no');
    const sent = await page.evaluate(() =>
      fetch('http://127.0.0.1:9/collect', { method: 'POST', body: 'x' }).then(
        () => 'sent',
        (error: Error) => error.name,
      ),
    );
    expect(sent).toBe('TypeError');
    // Each is reported once per policy: the <meta> one and the header one.
    await expect
      .poll(async () => [...new Set((await traffic.violations()).map((v) => v.directive))].sort())
      .toEqual(['connect-src', 'script-src-elem']);
    expect(traffic.offOrigin()).toEqual([]); // refused before it left the page
  });
});

test('the whole journey stays on this origin and violates nothing: pretrain, generate, export, attention, fine-tune', async ({
  shell,
  pretrain,
  attention,
  classification,
  runs,
  traffic,
  note,
}) => {
  const t0 = Date.now();
  await test.step('pretrain, generate and export', async () => {
    await pretrain.trainDemo({ steps: 2 });
    await pretrain.generate({ prompt: 'The ', maxTokens: 8, temperature: 0.8 });
    await expect(pretrain.generated).toContainText(/^The ./, { timeout: TRAINING_TIMEOUT });
    const download = shell.page.waitForEvent('download');
    await pretrain.export.click();
    expect((await download).suggestedFilename()).toMatch(/-openai-gpt\.zip$/);
  });

  await test.step('attention of the pretrained model', async () => {
    await attention.open();
    await attention.inspect('The model reads this line.');
  });

  await test.step('fine-tune it on SST-2 slices, and list the runs', async () => {
    await classification.open();
    for (const [split, rows] of [
      ['train', 48],
      ['dev', 24],
    ] as const) {
      const file = sst2Slice(split, rows, test.info().outputPath(`${split}.tsv`));
      await (split === 'train' ? classification.trainFile : classification.devFile).setInputFiles(file);
    }
    await classification.startFrom('Current pretrained model');
    await classification.shortSchedule();
    await classification.finetune();
    await runs.open();
    await expect(runs.finetuneRuns.getByRole('row')).toHaveCount(2);
  });

  const violations = await traffic.violations();
  // The engine worker reports what the policy refuses there from its first line on (src/engine/csp-watch.ts).
  await expect(shell.alerts.filter({ hasText: 'security policy' })).toHaveCount(0);
  note('journey', `${secondsSince(t0)} s, ${traffic.requests.length} requests, all to ${traffic.origin}`);
  expect(traffic.offOrigin(), 'requests that left the origin').toEqual([]);
  expect(violations, 'Content-Security-Policy violations').toEqual([]);
  expect(traffic.requests.length).toBeGreaterThan(3); // the recorder heard the page load
});
