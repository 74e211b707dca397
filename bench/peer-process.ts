/**
 * Runs the benchmarks' SMTP peers in their own process (as a real SMTP server would be), so the relay
 * and the clients under test do not share a core with them. Spawned by `startPeerProcess()`.
 */
import { countingSmtpServer, delayingProxy } from './smtp-peers.js';

async function main() {
  const connectDelay = Number(process.env.PEER_CONNECT_DELAY_MS ?? 0);
  const replyDelay = Number(process.env.PEER_REPLY_DELAY_MS ?? 0);
  const server = await countingSmtpServer();
  const proxy = connectDelay || replyDelay ? await delayingProxy(server.port, connectDelay, replyDelay) : null;
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'count') process.send!({ count: server.count() });
    if (m.cmd === 'close') void Promise.all([proxy?.close(), server.close()]).then(() => process.exit(0));
  });
  process.send!({ port: proxy ? proxy.port : server.port });
}

void main();
