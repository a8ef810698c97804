export { aggregateHistory, type HistoryEvent } from './history.js';
export {
  type AuditProblem,
  type AuditProblemCode,
  type AuditReport,
  verifyAudit,
  verifyEventLog,
} from './verify.js';
