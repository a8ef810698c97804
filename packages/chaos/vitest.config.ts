import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the chaos scenarios (test/*.chaos.ts), one at a time, in one fork.
// They start their own servers and processes and bound every phase themselves; the timeouts
// here are only the outer fence (20,000 payments on the embedded engines take a while).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'chaos',
    include: ['test/**/*.chaos.ts'],
    testTimeout: 4 * 60 * 60 * 1000,
    hookTimeout: 10 * 60 * 1000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
  },
});
