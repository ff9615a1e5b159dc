// Where the repository is, for Node-side bench code that runs from source (bench/*.ts under vitest) and
// bundled (dist-node/bench.js or one of its chunks): the nearest folder above this module with the
// project's package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'gpt1-lab') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no gpt1-lab package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
