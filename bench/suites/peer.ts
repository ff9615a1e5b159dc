// `npm run bench -- peer [train options] [--rounds N] [--peer-dir DIR]`: gpt1-lab against @genai-fi/nanogpt
// (TF.js with WebGPU kernels), the same sizes, batch, context and steps, alternating in one Chromium page on
// the same adapter (bench/browser/peer.ts). The package is optional: it is looked up in node_modules, or in
// DIR (e.g. the `package` folder of `npm pack @genai-fi/nanogpt`), and the suite says so when it is absent.
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { findPeerPackage, runBenchPage } from '../browser-driver.ts';
import { formatTable } from '../harness.ts';
import { UnavailableError } from '../unavailable.ts';
import { specFromOptions, trainOptions } from './train.ts';

export const peerOptions = {
  ...trainOptions,
  rounds: { type: 'number', help: 'alternating rounds of --steps steps each (default 3)' },
  'peer-dir': { type: 'string', help: 'folder of the @genai-fi/nanogpt package (default: node_modules)' },
  'timeout-s': { type: 'number', help: 'give up on the page after this many seconds (default 3600)' },
} satisfies OptionSpecs;

export const PEER_MISSING =
  '@genai-fi/nanogpt is not installed: the peer suite needs it. Install it (npm install --no-save ' +
  '@genai-fi/nanogpt@1.3.0), or unpack `npm pack @genai-fi/nanogpt@1.3.0` and pass --peer-dir <its package folder>.';

interface PeerResult {
  ours: number;
  peer: number;
  ratio: number;
  rounds: { ours: { tokensPerSecond: number }[]; peer: { tokensPerSecond: number; wallTokensPerSecond: number }[] };
}

export async function peerSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, peerOptions);
  const spec = specFromOptions(o);
  const peer = findPeerPackage(o['peer-dir']);
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
