// Money and times as people read them. Amounts stay integers (minor units) until shown.

export function money(minor: number | null | undefined, currency = 'USD'): string {
  if (minor === null || minor === undefined) return '—';
  const sign = minor < 0 ? '−' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${currency === 'USD' ? '$' : `${currency} `}${whole}.${cents}`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function bps(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${(n / 100).toFixed(2)}%`;
}

export function ms(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${Math.round(n).toLocaleString('en-US')} ms`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

export function label(code: string): string {
  return code.replaceAll('_', ' ');
}

/** Dollars typed by a person → minor units; null when empty; throws on anything else. */
export function parseDollars(text: string): number | null {
  const t = text.trim().replace(/^\$/, '').replaceAll(',', '');
  if (t === '') return null;
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(t)) throw new Error('Enter an amount like 12.50');
  const [w, f = ''] = t.split('.');
  return Number(w) * 100 + Number(f.padEnd(2, '0'));
}
