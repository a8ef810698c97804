// `npm run servers` — start the integration servers by hand and keep them up, printing the
// environment to export so repeated test runs reuse them:
//   npm run servers            # prints export lines, Ctrl-C stops the servers
import { startTestServers } from './servers.js';

const servers = await startTestServers();
for (const [k, v] of Object.entries(servers.env)) console.log(`export ${k}=${v}`);
console.log('# servers are running; press Ctrl-C to stop them');
const stop = async () => {
  await servers.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
