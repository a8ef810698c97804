// The Luhn (mod 10) check digit of card numbers. It catches every single-digit error and most
// adjacent transpositions, so a mistyped number is refused before it reaches the network.

/** True when `digits` (digits only) passes the Luhn check. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The digit that, appended to `payload`, makes it Luhn-valid. */
export function luhnCheckDigit(payload: string): number {
  if (!/^\d*$/.test(payload)) throw new RangeError('luhnCheckDigit takes digits only');
  for (let d = 0; d <= 9; d++) if (isLuhnValid(`${payload}${d}`)) return d;
  // Unreachable: exactly one of ten digits completes any payload.
  throw new RangeError('no Luhn check digit');
}
