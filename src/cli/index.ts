#!/usr/bin/env node
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';

const USAGE = `usage: relay <command> [options]

commands:
  serve    run the relay headless (API + web UI + sandbox SMTP sink)
           --host --port --smtp-host --smtp-port --data-dir --db-path --api-token
           --delivery-mode sandbox|real --config FILE --retry-delays 60,300,...
           --max-concurrency N --client-sync-url URL --log-level LEVEL
           --db-url postgres://... --lease-seconds N --fetch-url URL
  status   check a running relay; exits non-zero when something is wrong
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'status':
      return statusCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
