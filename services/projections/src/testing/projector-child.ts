// The projections service in a child process, on the embedded engines of a data folder, until
// it is killed. The crash test SIGKILLs it mid-batch.
//
//   node --import tsx projector-child.ts <dataDir>

import { createLogger, createMetrics, loadConfig, openEngines } from '@paystream/runtime';
import { projectionsService } from '../service.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: projector-child.ts <dataDir>');
const config = loadConfig({ PAYSTREAM_DATA: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
const logger = createLogger({ level: 'silent' });
const engines = await openEngines(config, { logger });
await projectionsService.start({ config, engines, logger, metrics: createMetrics() });
process.stdout.write('ready\n');
