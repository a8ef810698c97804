export { compareTables, type ItemDiff, type TableDiff } from './compare.js';
export { type RebuildProgress, rebuild } from './rebuild.js';
export { type ReplayOptions, type ReplayProgress, type ReplayResult, replay } from './replay.js';
