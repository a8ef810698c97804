// The request bodies of the command API, as TypeBox JSON schemas: fastify validates HTTP
// requests with them (and /docs shows them), the inbound consumer validates upstream records
// with the very same objects. Amounts are `integer` (minor units): 12.5 is refused, not rounded.
// Every object is closed (additionalProperties: false) so a misspelt field is an error, not a
// silently ignored option.

import { type Static, Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

/** Ids from the marketplace's own systems (customers, providers, owners). */
// Printable ASCII from a small set: no control, bidi or path characters reach the log, the read
// models or a log line (`cus_\u0000\n\u202e../../etc` is refused with validation_failed).
const ExternalId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{1,128}$', description });
const Text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, description });
const Amount = (description: string) =>
  Type.Integer({ description: `${description}, integer minor units (cents)`, examples: [12500] });

export const CreateCardBody = Type.Object(
  {
    customerId: ExternalId('your customer id'),
    number: Type.String({
      minLength: 12,
      maxLength: 23,
      description: 'card number (PAN); spaces/dashes allowed',
    }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2199, description: 'four-digit year' }),
    cvc: Type.String({ minLength: 3, maxLength: 4, description: 'checked, never stored' }),
  },
  closed,
);
export type CreateCardBody = Static<typeof CreateCardBody>;

export const CardResponse = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  brand: Type.String(),
  last4: Type.String(),
  expMonth: Type.Integer(),
  expYear: Type.Integer(),
  fingerprint: Type.String(),
  position: Type.String(),
});

export const CreateBankAccountBody = Type.Object(
  {
    ownerId: ExternalId('the provider (or other owner) id'),
    routingNumber: Type.String({ minLength: 9, maxLength: 9, description: 'ABA routing number' }),
    accountNumber: Type.String({ minLength: 4, maxLength: 21, description: '4–17 digits' }),
    accountType: Type.Union([Type.Literal('checking'), Type.Literal('savings')]),
    holderName: Text(100, 'account holder name'),
    holderType: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('business')])),
  },
  closed,
);
export type CreateBankAccountBody = Static<typeof CreateBankAccountBody>;

export const BankAccountResponse = Type.Object({
  id: Type.String(),
  ownerId: Type.String(),
  last4: Type.String(),
  routingNumber: Type.String(),
  accountType: Type.String(),
  holderType: Type.String(),
  status: Type.String(),
  fingerprint: Type.String(),
  position: Type.String(),
});

export const CreatePaymentBody = Type.Object(
  {
    amount: Amount('amount to charge'),
    currency: Type.String({
      minLength: 3,
      maxLength: 3,
      description: 'ISO 4217 code, upper case',
      examples: ['USD'],
    }),
    customerId: ExternalId('your customer id'),
    providerId: ExternalId('your provider id: letters, digits, "_", "-", "."'),
    paymentMethodId: ExternalId('a card id from POST /v1/payment-methods/cards'),
    escrow: Type.Optional(
      Type.Object(
        {
          holdUntil: Type.Optional(
            Type.Union([
              Type.String({ maxLength: 40, description: 'ISO 8601 date-time' }),
              Type.Integer({ minimum: 0, description: 'epoch milliseconds' }),
            ]),
          ),
          autoRelease: Type.Optional(
            Type.Boolean({ description: 'release when the hold ends (default true)' }),
          ),
        },
        closed,
      ),
    ),
    platformFeeBps: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10_000, description: 'overrides the tenant default' }),
    ),
    metadata: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }), Type.String({ maxLength: 500 }), {
        maxProperties: 20,
        // TypeBox's Record only checks keys that match the pattern: without this any other key,
        // with any value, reached the log — a non-string value failed Avro encoding (500) and an
        // empty key wedged the projector (the read store refuses empty attribute names).
        additionalProperties: false,
        description: 'up to 20 string values, keys of 1–40 [A-Za-z0-9_.-]',
      }),
    ),
    risk: Type.Optional(
      Type.Object(
        {
          ipAddress: Type.Optional(Type.String({ maxLength: 45 })),
          ipCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })),
          deviceId: Type.Optional(Type.String({ maxLength: 128 })),
          email: Type.Optional(Type.String({ maxLength: 254 })),
          userAgent: Type.Optional(Type.String({ maxLength: 512 })),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const PaymentAccepted = Type.Object({
  id: Type.String(),
  status: Type.String(),
  position: Type.String(),
  escrowId: Type.Optional(Type.String()),
});

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(Amount('amount to refund (default: all that is held)')),
    reason: Type.Optional(Text(500, 'why')),
  },
  closed,
);
export type RefundBody = Static<typeof RefundBody>;

export const ReleaseBody = Type.Object(
  { amount: Type.Optional(Amount('amount to release (default: all that is held)')) },
  closed,
);
export type ReleaseBody = Static<typeof ReleaseBody>;

export const DisputeBody = Type.Object({ reason: Text(500, 'why the customer disputes') }, closed);
export type DisputeBody = Static<typeof DisputeBody>;

export const ResolveDisputeBody = Type.Object(
  { outcome: Type.Union([Type.Literal('release'), Type.Literal('refund')]) },
  closed,
);
export type ResolveDisputeBody = Static<typeof ResolveDisputeBody>;

export const ReviewBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('decline')]),
    note: Type.Optional(Text(500, 'for the audit trail')),
  },
  closed,
);
export type ReviewBody = Static<typeof ReviewBody>;

/** The answer to every command on an existing payment. */
export const CommandAccepted = Type.Object({
  id: Type.String({ description: 'the refund, release or dispute id, or the command id' }),
  paymentId: Type.String(),
  escrowId: Type.Union([Type.String(), Type.Null()]),
  command: Type.String(),
  status: Type.Literal('accepted'),
  /** What the payment's status will be once escrow applies the command (unless another command gets there first). */
  expectedStatus: Type.String(),
  amount: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.String(),
  position: Type.String(),
});

export const ErrorResponse = Type.Object({
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

export const PaymentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }, closed);
export const EscrowIdParams = PaymentIdParams;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'retries with the same key and body get the first response (kept 24 h)' }),
  ),
});

export const WaitQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,6}$',
        description: 'milliseconds (≤ 30000) to wait for a decided status',
      }),
    ),
  },
  closed,
);
