export * from './audit/index.js';
export * from './costs/index.js';
export { ensureProjectionTables, projectBatch } from './projector.js';
export type * from './read-queries.js';
export { createReadQueries, PROJECTIONS_GROUP } from './read-queries-impl.js';
export * from './replay/index.js';
export { projectionsService } from './service.js';
export { PROJECTION_TABLES } from './tables.js';
