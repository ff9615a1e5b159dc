// Runs every test tier (lint, types, vitest node + browser, the Python tests of scale/, Playwright e2e), keeps
// going after a failing tier, and ends with one plain line "N passed, N failed" summed over all tiers, which CI
// reads.
// Exit code is non-zero when anything failed or a tier could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const REPORTS = '.test-reports';
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

const run = (label, command, args, env = {}) => {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
};

let passed = 0;
let failed = 0;
const problems = [];

// The model, tokenizer and task tests read the real datasets and golden fixtures from ../shared (they are
// never copied into the repository); without it those tests fail, and this says why up front and at the end.
if (!existsSync('../shared/data') || !existsSync('../shared/fixtures')) {
  const missing =
    '../shared/data and ../shared/fixtures are missing: tests that read the real datasets and ' +
    'the Hugging Face fixtures will fail. Run the tests from a clone that sits beside the shared folder.';
  console.log(`\n${missing}`);
  problems.push(missing);
}

// Static checks count as one check each.
for (const [label, args] of [
  ['lint', ['run', 'lint']],
  ['typecheck', ['run', 'typecheck']],
]) {
  if (run(label, 'npm', args) === 0) passed++;
  else {
    failed++;
    problems.push(label);
  }
}

const vitestReport = `${REPORTS}/vitest.json`;
const vitestStatus = run('vitest (node + browser)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
]);
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // Pending/todo tests are neither: they are reported but never counted as passes.
  if (report.numPendingTests || report.numTodoTests) {
    console.log(`vitest: ${report.numPendingTests} skipped, ${report.numTodoTests} todo (not counted)`);
  }
  if (vitestStatus !== 0 && report.numFailedTests === 0) {
    failed++;
    problems.push('vitest exited non-zero (suite error)');
  }
} else {
  failed++;
  problems.push('vitest produced no report');
}

// scale/ is Python (PyTorch from Debian's python3-torch, which imports only under /usr/bin/python3): its unittest
// suite runs here as its own tier and reports its counts, each test method counted once. The round trip through
// PyTorch needs our engine as well, so it is a vitest test (src/train/continue-at-scale.test.ts) above.
const pythonReport = `${REPORTS}/python.json`;
const pythonStatus = run('python (scale/)', '/usr/bin/python3', ['scale/tests/run_tests.py', '--report', pythonReport]);
if (existsSync(pythonReport)) {
  const report = JSON.parse(readFileSync(pythonReport, 'utf8'));
  passed += report.passed;
  failed += report.failed;
  if (report.skipped) console.log(`python: ${report.skipped} skipped (not counted)`);
  if (pythonStatus !== 0 && report.failed === 0) {
    failed++;
    problems.push('python tests exited non-zero');
  }
} else {
  failed++;
  problems.push('python tests produced no report (is python3-torch installed for /usr/bin/python3?)');
}

const e2eReport = `${REPORTS}/e2e.json`;
const e2eStatus = run('playwright e2e', 'npx', ['playwright', 'test'], { CI: process.env.CI ?? '1' });
if (existsSync(e2eReport)) {
  const { stats } = JSON.parse(readFileSync(e2eReport, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  if (stats.skipped) console.log(`playwright: ${stats.skipped} skipped (not counted)`);
  if (e2eStatus !== 0 && stats.unexpected === 0) {
    failed++;
    problems.push('playwright exited non-zero (setup error)');
  }
} else {
  failed++;
  problems.push('playwright produced no report');
}

if (problems.length) console.log(`\nProblems: ${problems.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
