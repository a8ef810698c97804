// The ingest service: public command API, tokenization, idempotency, inbound topic.
export { CATCH_UP_MS } from './commands/lookups.js';
export { paymentIdFor } from './commands/payments.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './http/routes.js';
export { DEFAULT_MAX_WAIT_MS } from './http/wait.js';
export { IDEMPOTENCY_TABLE } from './idempotency/store.js';
export {
  INBOUND_GROUP,
  INBOUND_TYPES,
  type InboundRecord,
  type InboundType,
} from './inbound/format.js';
export { createIngestService, type IngestDeps, type IngestOptions } from './service.js';
export { brandOf, CARD_BRANDS, type CardBrand } from './tokenize/brands.js';
export { bankAccountNumberAad, cardNumberAad } from './tokenize/format.js';
export { isLuhnValid, luhnCheckDigit } from './tokenize/luhn.js';
