import { ConfigError } from '../../workers/config.js';
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  isTty: process.stdout.isTTY === true,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
}).catch((err: unknown) => {
  // Only a bad environment gets here (the program maps everything else): one line per variable.
  if (err instanceof ConfigError) for (const line of err.problems) process.stderr.write(`${line}\n`);
  else process.stderr.write(`error: ${(err as Error).message}\n`);
  return err instanceof ConfigError ? 2 : 1;
});
// Flush and leave: an open gRPC channel or timer must not keep a finished command alive.
process.exitCode = code;
setImmediate(() => process.exit(code));
