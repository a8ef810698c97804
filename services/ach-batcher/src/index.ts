export * as nacha from './nacha/index.js';
export * from './calendar/banking-days.js';
export * from './calendar/fed-holidays.js';
export * from './calendar/windows.js';
export * from './domain/netting.js';
