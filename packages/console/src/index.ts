export { buildConsoleAssets, ensureConsoleAssets } from './build.js';
export { CONSOLE_CSP, CONSOLE_HEADERS, type ConsoleOptions, registerConsole } from './register.js';
