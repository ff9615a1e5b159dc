// `npm run bench -- peer [train options] [--rounds N] [--peer-dir DIR]`: gpt1-lab against @genai-fi/nanogpt
// (TF.js with WebGPU kernels), the same sizes, batch, context and steps, alternating in one Chromium page on
// the same adapter (bench/browser/peer.ts). The peer is not a dependency of gpt1-lab (it pulls in TF.js and
// pdf.js): bench/peer/ is its own npm project with a committed lock file, which this suite installs on first
// use (`npm run bench:peer-setup`). DIR (e.g. the `package` folder of `npm pack @genai-fi/nanogpt`) overrides it.
import { spawnSync } from 'node:child_process';
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { findPeerPackage, type PeerPackage, runBenchPage } from '../browser-driver.ts';
import { formatTable } from '../harness.ts';
import { REPO_ROOT } from '../paths.ts';
import { UnavailableError } from '../unavailable.ts';
import { specFromOptions, trainOptions } from './train.ts';

export const peerOptions = {
  ...trainOptions,
  rounds: { type: 'number', help: 'alternating rounds of --steps steps each (default 3)' },
  'peer-dir': { type: 'string', help: 'folder of the @genai-fi/nanogpt package (default: bench/peer, installed)' },
  'timeout-s': { type: 'number', help: 'give up on the page after this many seconds (default 3600)' },
} satisfies OptionSpecs;

export const PEER_MISSING =
  '@genai-fi/nanogpt is not installed: the peer suite needs it. Install it with `npm run bench:peer-setup` ' +
  '(npm ci in bench/peer, from its lock file; needs the npm registry), or unpack `npm pack @genai-fi/nanogpt@1.3.0` ' +
  'and pass --peer-dir <its package folder>.';

/** The package.json script, so the command the suite runs is the one a person runs by hand. */
const SETUP_SCRIPT = 'bench:peer-setup';

/** Installs bench/peer from its lock file (npm's output goes to stderr: stdout ends with the JSON line). */
function installPeer(): PeerPackage | undefined {
  process.stderr.write(
    `peer: @genai-fi/nanogpt not found; installing it into bench/peer/node_modules: npm run ${SETUP_SCRIPT}\n`,
  );
  const npm = spawnSync('npm', ['run', SETUP_SCRIPT], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 2, 2],
    shell: process.platform === 'win32', // npm is npm.cmd there, which Node spawns only through a shell
  });
  if (npm.error || npm.status !== 0) {
    const why = npm.error?.message ?? `exit status ${npm.status ?? npm.signal}`;
    throw new UnavailableError(`installing the peer failed (${why}). ${PEER_MISSING}`);
  }
  return findPeerPackage();
}

interface PeerResult {
  ours: number;
  peer: number;
  ratio: number;
  rounds: { ours: { tokensPerSecond: number }[]; peer: { tokensPerSecond: number; wallTokensPerSecond: number }[] };
}

export async function peerSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, peerOptions);
  const spec = specFromOptions(o);
  const dir = o['peer-dir'];
  const peer = findPeerPackage(dir) ?? (dir === undefined ? installPeer() : undefined);
  if (!peer) throw new UnavailableError(PEER_MISSING);
  process.stderr.write(`peer: @genai-fi/nanogpt ${peer.version} from ${peer.dir}\n`);
  const { result, browserVersion } = await runBenchPage({
    mode: 'peer',
    spec: { ...spec, rounds: o.rounds ?? 3 },
    peer,
    timeoutS: o['timeout-s'] ?? 3600,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const r = result as PeerResult;
  const rows = r.rounds.ours.map((ours, i) => ({
    round: i + 1,
    'ours tokens/s': ours.tokensPerSecond,
    'peer tokens/s': r.rounds.peer[i]?.tokensPerSecond ?? Number.NaN,
    'peer wall tokens/s': r.rounds.peer[i]?.wallTokensPerSecond ?? Number.NaN,
  }));
  process.stderr.write(
    `\n${formatTable(rows)}\nmedians: ours ${r.ours.toFixed(1)} tokens/s, peer ${r.peer.toFixed(1)} tokens/s, ratio ${r.ratio.toFixed(2)}\n`,
  );
  return { suite: 'peer', browser: `chromium ${browserVersion}`, date: new Date().toISOString(), ...r };
}
