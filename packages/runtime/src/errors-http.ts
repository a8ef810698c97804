// Where an error code becomes an HTTP status. Codes not listed are client errors (400); anything
// that is not a PaystreamError is a 500 whose details stay in the log, never in the response.

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  unauthorized: 401,
  invalid_api_key: 401,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  payment_not_found: 404,
  payment_method_not_found: 404,
  escrow_not_found: 404,
  provider_not_found: 404,
  ach_batch_not_found: 404,
  account_not_found: 404,
  aggregate_not_found: 404,
  route_not_found: 404,
  webhook_endpoint_not_found: 404,
  webhook_delivery_not_found: 404,
  method_not_allowed: 405,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  illegal_transition: 409,
  amount_exceeds_available: 409,
  write_conflict: 409,
  webhook_endpoint_disabled: 409,
  webhook_url_forbidden: 422,
  webhook_url_unresolvable: 422,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  not_ready: 503,
  timeout: 504,
};

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}
