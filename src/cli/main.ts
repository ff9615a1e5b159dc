// `npm run cli -- <command> [options]`: the headless engine over Dawn. Progress goes to stderr; the last
// line of stdout is one JSON object, so scripts can read results without parsing logs.
import { openGpu } from '../gpu/device.ts';
import { nodeGpu } from '../gpu/node-gpu.ts';
import { runSelfTest } from '../gpu/self-test.ts';

type Command = (args: string[]) => Promise<unknown>;

const COMMANDS: Record<string, { help: string; run: Command }> = {
  adapter: {
    help: 'show the GPU adapter the engine would use, with its limits, and run the GPU self-test',
    run: async () => {
      const ctx = await openGpu(await nodeGpu(), { purpose: 'gpt1-lab cli' });
      try {
        return { adapter: ctx.adapter, selfTest: await runSelfTest(ctx.device) };
      } finally {
        ctx.destroy();
      }
    },
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`);
  return `usage: npm run cli -- <command> [options]\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(name && name !== '--help' ? `unknown command "${name}"\n${usage()}` : usage());
    return name && name !== '--help' ? 2 : 0;
  }
  const result = await command.run(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.exit(1);
  },
);
