// Before a rejected inbound record is copied to the dead-letter topic, anything in it that could
// be a card or account number is replaced: the fields the logger redacts (number, cvc,
// accountNumber) and any run of 12–19 digits, in strings, numbers or unparseable text. Losing a
// legitimate long number in a dead letter costs a look at the source offset; copying a card
// number would be card data at rest.

const SENSITIVE_KEYS = new Set(['number', 'cvc', 'accountnumber', 'pan', 'cardnumber']);
const DIGIT_RUN = /\d(?:[ -]?\d){11,18}/g;
const REDACTED = '[redacted]';

function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(DIGIT_RUN, REDACTED);
  if (typeof value === 'number') return Math.abs(value) >= 1e11 ? REDACTED : value;
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k.replace(DIGIT_RUN, REDACTED)] = SENSITIVE_KEYS.has(k.toLowerCase()) ? REDACTED : scrubValue(v);
    }
    return out;
  }
  return value;
}

export function scrubRecordValue(value: Buffer): Buffer {
  const text = value.toString('utf8');
  try {
    return Buffer.from(JSON.stringify(scrubValue(JSON.parse(text))), 'utf8');
  } catch {
    return Buffer.from(text.replace(DIGIT_RUN, REDACTED), 'utf8');
  }
}
