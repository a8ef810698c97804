// Vitest global setup of the `integration` project: start the servers once for the run and
// publish their endpoints to the test workers through the environment.

import type { TestProject } from 'vitest/node';
import { startTestServers } from './servers.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startTestServers();
  Object.assign(process.env, servers.env);
  for (const [k, v] of Object.entries(servers.env)) project.provide(k as never, v as never);
  return async () => {
    await servers.stop();
  };
}
