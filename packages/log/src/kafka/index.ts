export { KafkaEventLog } from './kafka-event-log.js';
export type { KafkaEventLogOptions, KafkaLogLevel, KafkaLogSink } from './kafka-options.js';
