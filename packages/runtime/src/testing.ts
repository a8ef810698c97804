// Embedded engines in a temporary folder, for tests of services and the composition.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@paystream/core';
import { type Config, loadConfig } from './config.js';
import { type Engines, openEngines } from './engines.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface TestEngines {
  readonly config: Config;
  readonly engines: Engines;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dataDir: string;
  cleanup(): Promise<void>;
}

export async function openTestEngines(
  options: { clock?: Clock; env?: NodeJS.ProcessEnv } = {},
): Promise<TestEngines> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paystream-test-'));
  const config = loadConfig({ PAYSTREAM_DATA: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...options.env });
  const logger = createLogger({ level: 'silent' });
  const engines = await openEngines(config, { logger, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    config,
    engines,
    logger,
    metrics: createMetrics(),
    dataDir,
    async cleanup() {
      await engines.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
