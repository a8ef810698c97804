import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `integration` talks to real servers (Kafka,
// DynamoDB Local, moto, a schema registry) that the global setup starts on loopback.
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.spec.ts',
            'services/*/src/**/*.spec.ts',
            'packages/*/test/**/*.spec.ts',
            'services/*/test/**/*.spec.ts',
            'deploy/test/**/*.spec.ts',
          ],
          exclude: ['**/*.int.spec.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'packages/*/src/**/*.int.spec.ts',
            'services/*/src/**/*.int.spec.ts',
            'packages/*/test/**/*.int.spec.ts',
            'services/*/test/**/*.int.spec.ts',
          ],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
