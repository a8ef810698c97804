// The inbound topic (TOPICS.inbound): upstream services of the marketplace send commands here
// instead of calling the HTTP API. Each record's value is one UTF-8 JSON object:
//
//   {
//     "type": "payment.create" | "payment.refund" | "payment.review"
//           | "escrow.release" | "escrow.dispute" | "escrow.resolve",
//     "tenantId": "default",
//     "idempotencyKey": "order-8812-charge",      // required: producers retry
//     "resourceId": "pay_…" | "esc_…",           // the payment (payment.refund, payment.review)
//                                               // or escrow (escrow.*) acted on; absent for create
//     "body": { … }                               // exactly the HTTP request body of that command
//   }
//
// The record key should be the idempotency key or the resource id (ordering per resource).
// Keys are shared with the HTTP API: the same tenant + key + request over either path executes
// once. Producers are trusted services, so there is no API key; the tenant must exist.
//
// Card and bank-account tokenization are NOT accepted here: a topic is storage, and a card or
// account number in it would be plaintext at rest (ARCHITECTURE.md §3.3). Tokenize over HTTPS instead.
//
// Invalid records go to TOPICS.deadLetter, in the same batch commit as the valid ones' commands,
// with headers `reason` (`<code>: <message> (field <f>)`) and the source position; their value is
// scrubbed of anything that looks like a card or account number before it is copied there.

import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  CreatePaymentBody,
  DisputeBody,
  RefundBody,
  ReleaseBody,
  ResolveDisputeBody,
  ReviewBody,
} from '../schemas.js';

export const INBOUND_GROUP = 'paystream-ingest-inbound';

export const INBOUND_TYPES = [
  'payment.create',
  'payment.refund',
  'payment.review',
  'escrow.release',
  'escrow.dispute',
  'escrow.resolve',
] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/** Types refused outright because their bodies carry card or account numbers. */
export const SENSITIVE_INBOUND_TYPES: readonly string[] = ['card.create', 'bank_account.create'];

export const InboundRecord = Type.Object(
  {
    type: Type.Union(INBOUND_TYPES.map((t) => Type.Literal(t))),
    tenantId: Type.String({ minLength: 1, maxLength: 64 }),
    idempotencyKey: Type.String({ minLength: 1, maxLength: 255 }),
    resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    body: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type InboundRecord = Static<typeof InboundRecord>;

/** The body schema of each type, and whether it acts on an existing resource. */
export const INBOUND_BODIES: Readonly<Record<InboundType, { schema: TSchema; needsResource: boolean }>> = {
  'payment.create': { schema: CreatePaymentBody, needsResource: false },
  'payment.refund': { schema: RefundBody, needsResource: true },
  'payment.review': { schema: ReviewBody, needsResource: true },
  'escrow.release': { schema: ReleaseBody, needsResource: true },
  'escrow.dispute': { schema: DisputeBody, needsResource: true },
  'escrow.resolve': { schema: ResolveDisputeBody, needsResource: true },
};
