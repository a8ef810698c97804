// NACHA return reason codes and what each means for the receiver's bank account in Paystream.
// Titles follow the NACHA Operating Rules (Appendix Four) as moov-io/ach's addenda99.go lists
// them; the `account` and `retryable` columns are Paystream's policy:
//   account   — what happens to the stored bank account: 'unchanged', or it becomes unusable
//               ('closed', 'invalid', 'frozen'), or it needs a fresh authorization / a human.
//   retryable — whether the payout may be sent again to the same account without any change.
//               Only R01 and R09 (funds) qualify: the Rules allow re-presenting those.

export type AccountEffect =
  | 'unchanged'
  | 'closed'
  | 'invalid'
  | 'frozen'
  | 'authorization_revoked'
  | 'needs_review';

export interface ReturnCodeInfo {
  readonly code: string;
  readonly title: string;
  readonly account: AccountEffect;
  readonly retryable: boolean;
}

const rows: readonly [string, string, AccountEffect, boolean][] = [
  ['R01', 'Insufficient funds', 'unchanged', true],
  ['R02', 'Account closed', 'closed', false],
  ['R03', 'No account / unable to locate account', 'invalid', false],
  ['R04', 'Invalid account number structure', 'invalid', false],
  ['R05', 'Unauthorized debit to consumer account using corporate SEC code', 'authorization_revoked', false],
  ['R06', "Returned per ODFI's request", 'unchanged', false],
  ['R07', 'Authorization revoked by customer', 'authorization_revoked', false],
  ['R08', 'Payment stopped', 'authorization_revoked', false],
  ['R09', 'Uncollected funds', 'unchanged', true],
  [
    'R10',
    'Customer advises unauthorized, improper, ineligible or incomplete',
    'authorization_revoked',
    false,
  ],
  [
    'R11',
    'Customer advises entry not in accordance with the terms of the authorization',
    'needs_review',
    false,
  ],
  ['R12', 'Account sold to another DFI', 'invalid', false],
  ['R13', 'Invalid ACH routing number', 'invalid', false],
  ['R14', 'Representative payee deceased or unable to continue in that capacity', 'closed', false],
  ['R15', 'Beneficiary or account holder (other than a representative payee) deceased', 'closed', false],
  ['R16', 'Account frozen / entry returned per OFAC instruction', 'frozen', false],
  [
    'R17',
    'File record edit criteria / entry initiated under questionable circumstances',
    'needs_review',
    false,
  ],
  ['R18', 'Improper effective entry date', 'unchanged', false],
  ['R19', 'Amount field error', 'unchanged', false],
  ['R20', 'Non-transaction account', 'invalid', false],
  ['R21', 'Invalid company identification', 'unchanged', false],
  ['R22', 'Invalid individual ID number', 'needs_review', false],
  ['R23', 'Credit entry refused by receiver', 'needs_review', false],
  ['R24', 'Duplicate entry', 'unchanged', false],
  ['R25', 'Addenda error', 'unchanged', false],
  ['R26', 'Mandatory field error', 'unchanged', false],
  ['R27', 'Trace number error', 'unchanged', false],
  ['R28', 'Routing number check digit error', 'invalid', false],
  ['R29', 'Corporate customer advises not authorized', 'authorization_revoked', false],
  ['R30', 'RDFI not participant in check truncation program', 'unchanged', false],
  ['R31', 'Permissible return entry (CCD and CTX only)', 'unchanged', false],
  ['R32', 'RDFI non-settlement', 'unchanged', false],
  ['R33', 'Return of XCK entry', 'unchanged', false],
  ['R34', 'Limited participation DFI', 'needs_review', false],
  ['R35', 'Return of improper debit entry', 'unchanged', false],
  ['R36', 'Return of improper credit entry', 'unchanged', false],
  ['R37', 'Source document presented for payment', 'unchanged', false],
  ['R38', 'Stop payment on source document', 'authorization_revoked', false],
  ['R39', 'Improper source document / source document presented for payment', 'unchanged', false],
  ['R40', 'Return of ENR entry by federal government agency', 'unchanged', false],
  ['R41', 'Invalid transaction code (ENR only)', 'unchanged', false],
  ['R42', 'Routing number / check digit error (ENR only)', 'unchanged', false],
  ['R43', 'Invalid DFI account number (ENR only)', 'unchanged', false],
  ['R44', 'Invalid individual ID number / identification number (ENR only)', 'unchanged', false],
  ['R45', 'Invalid individual name / company name (ENR only)', 'unchanged', false],
  ['R46', 'Invalid representative payee indicator (ENR only)', 'unchanged', false],
  ['R47', 'Duplicate enrollment (ENR only)', 'unchanged', false],
  ['R50', 'State law affecting RCK acceptance', 'unchanged', false],
  ['R51', 'Item related to RCK entry is ineligible or RCK entry is improper', 'unchanged', false],
  ['R52', 'Stop payment on item related to RCK entry', 'unchanged', false],
  ['R53', 'Item and RCK entry presented for payment', 'unchanged', false],
  ['R61', 'Misrouted return', 'unchanged', false],
  ['R62', 'Return of erroneous or reversing debit', 'unchanged', false],
  ['R67', 'Duplicate return', 'unchanged', false],
  ['R68', 'Untimely return', 'unchanged', false],
  ['R69', 'Field error(s)', 'unchanged', false],
  ['R70', 'Permissible return entry not accepted / return not requested by ODFI', 'unchanged', false],
  ['R71', 'Misrouted dishonored return', 'unchanged', false],
  ['R72', 'Untimely dishonored return', 'unchanged', false],
  ['R73', 'Timely original return', 'unchanged', false],
  ['R74', 'Corrected return', 'unchanged', false],
  ['R75', 'Return not a duplicate', 'unchanged', false],
  ['R76', 'No errors found', 'unchanged', false],
  ['R77', 'Non-acceptance of R62 dishonored return', 'unchanged', false],
  ['R80', 'IAT entry coding error', 'unchanged', false],
  ['R81', 'Non-participant in IAT program', 'unchanged', false],
  ['R82', 'Invalid foreign receiving DFI identification', 'unchanged', false],
  ['R83', 'Foreign receiving DFI unable to settle', 'unchanged', false],
  ['R84', 'Entry not processed by gateway', 'unchanged', false],
  ['R85', 'Incorrectly coded outbound international payment', 'unchanged', false],
];

export const RETURN_CODES: ReadonlyMap<string, ReturnCodeInfo> = new Map(
  rows.map(([code, title, account, retryable]) => [code, { code, title, account, retryable }]),
);

/** Undefined for a code NACHA does not define; callers report it, never guess. */
export function lookupReturnCode(code: string): ReturnCodeInfo | undefined {
  return RETURN_CODES.get(code.toUpperCase());
}

/** True when the code leaves the account unusable for future payouts until it is replaced. */
export function makesAccountUnusable(info: ReturnCodeInfo): boolean {
  return info.account === 'closed' || info.account === 'invalid' || info.account === 'frozen';
}

export interface ChangeCodeInfo {
  readonly code: string;
  readonly title: string;
}

/** Notification-of-change codes C01–C13 (C08 is for IAT); C61–C69 refuse a NOC. */
export const CHANGE_CODES: ReadonlyMap<string, ChangeCodeInfo> = new Map(
  (
    [
      ['C01', 'Incorrect DFI account number'],
      ['C02', 'Incorrect routing number'],
      ['C03', 'Incorrect routing number and incorrect DFI account number'],
      ['C04', 'Incorrect individual name / receiving company name'],
      ['C05', 'Incorrect transaction code'],
      ['C06', 'Incorrect DFI account number and incorrect transaction code'],
      ['C07', 'Incorrect routing number, incorrect DFI account number and incorrect transaction code'],
      ['C08', 'Incorrect receiving DFI identification (IAT only)'],
      ['C09', 'Incorrect individual identification number'],
      ['C10', 'Incorrect company name'],
      ['C11', 'Incorrect company identification'],
      ['C12', 'Incorrect company name and company identification'],
      ['C13', 'Addenda format error'],
      ['C61', 'Misrouted notification of change'],
      ['C62', 'Incorrect trace number'],
      ['C63', 'Incorrect company identification number'],
      ['C64', 'Incorrect individual identification number / identification number'],
      ['C65', 'Incorrectly formatted corrected data'],
      ['C66', 'Incorrect discretionary data'],
      ['C67', 'Routing number not from original entry detail record'],
      ['C68', 'DFI account number not from original entry detail record'],
      ['C69', 'Incorrect transaction code'],
    ] as const
  ).map(([code, title]) => [code, { code, title }]),
);

export function lookupChangeCode(code: string): ChangeCodeInfo | undefined {
  return CHANGE_CODES.get(code.toUpperCase());
}
