export * from './model.js';
export * from './prices.js';
export { costReport, MAX_PAYMENTS_PER_REPORT } from './report.js';
