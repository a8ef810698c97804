export * from './calendar/banking-days.js';
export * from './calendar/fed-holidays.js';
export * from './calendar/windows.js';
export * from './domain/netting.js';
export * as nacha from './nacha/index.js';
export { type AchConfig, loadAchConfig } from './service/config.js';
export { ACH_CONTROL_TOPIC, CONTROL_GROUP, EVENTS_GROUP } from './service/control.js';
export { ACH_TABLES } from './service/state.js';
export * from './service.js';
