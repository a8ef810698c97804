// A service's pino JSON line as one readable terminal line: `12:04:07 INFO  message key=value …`.
// The supervisor's prefix already names the service; anything that is not a pino line (the API
// key announcement, a stack trace) passes through unchanged.

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** ANSI colours of the levels that need attention. */
const LEVEL_COLOUR: Record<number, number> = { 40: 33, 50: 31, 60: 31 };
/** Fields every line has, or that the prefix already says. */
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'service']);

function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'message' in value) {
    const e = value as { type?: unknown; message?: unknown };
    return JSON.stringify(`${e.type ?? 'Error'}: ${String(e.message)}`);
  }
  return JSON.stringify(value);
}

export function formatLogLine(line: string, colour: boolean): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry.level === 'number' ? entry.level : undefined;
  if (level === undefined || typeof entry.msg !== 'string') return line;
  const time =
    typeof entry.time === 'number' || typeof entry.time === 'string' ? new Date(entry.time) : new Date();
  const clock = Number.isNaN(time.getTime()) ? '' : time.toISOString().slice(11, 19);
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const tint = LEVEL_COLOUR[level];
  const label = colour && tint ? `\u001b[${tint}m${name}\u001b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
  return [clock, label, entry.msg, ...fields].filter((s) => s !== '').join(' ');
}
