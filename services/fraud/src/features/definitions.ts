// The model's inputs, in a fixed order. A committed model records these names, and loading a
// model whose names differ is refused, so features and weights can never silently misalign.
// Each feature maps to the reason a customer-support agent would read when it drives a score;
// several features can share a reason (e.g. the 1-minute and 1-hour device velocity).

export interface FeatureDefinition {
  readonly name: string;
  readonly reason: string;
  readonly description: string;
}

export const FEATURES = [
  { name: 'amount_log', reason: 'amount_high', description: 'the amount is large' },
  {
    name: 'amount_small',
    reason: 'amount_small',
    description: 'a very small amount, typical of card testing',
  },
  {
    name: 'amount_z',
    reason: 'amount_unusual_for_customer',
    description: "the amount is far above this customer's usual amounts",
  },
  {
    name: 'amount_z_excess',
    reason: 'amount_unusual_for_customer',
    description: "the amount is far above this customer's usual amounts",
  },
  {
    name: 'amount_log_ratio',
    reason: 'amount_unusual_for_customer',
    description: "the amount is far above this customer's usual amounts",
  },
  {
    name: 'amount_ratio_excess',
    reason: 'amount_unusual_for_customer',
    description: "the amount is far above this customer's usual amounts",
  },
  {
    name: 'history_short',
    reason: 'customer_little_history',
    description: 'the customer has little history',
  },
  { name: 'customer_new', reason: 'customer_new', description: 'the first payment seen from this customer' },
  {
    name: 'customer_count_10m',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_count_10m_excess',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_minutes_since_last',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_gap_under_15m',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'provider_new_for_customer',
    reason: 'provider_new_for_customer',
    description: 'a provider this customer has not paid before',
  },
  {
    name: 'customer_new_providers_1h',
    reason: 'customer_velocity_new_providers',
    description: 'several payments to providers this customer has not paid before, within the hour',
  },
  {
    name: 'customer_count_1h',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_count_1h_excess',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_count_24h',
    reason: 'customer_velocity',
    description: 'many payments by this customer recently',
  },
  {
    name: 'customer_sum_24h_ratio',
    reason: 'customer_spend_spike',
    description: "today's spend is high against this customer's usual amount",
  },
  {
    name: 'customer_cards_24h',
    reason: 'customer_many_cards',
    description: 'this customer used several different cards today',
  },
  {
    name: 'card_new_for_customer',
    reason: 'card_new_for_customer',
    description: 'a card this customer has not used before',
  },
  { name: 'card_first_seen', reason: 'card_first_seen', description: 'a card never seen before' },
  { name: 'card_count_1h', reason: 'card_velocity', description: 'this card was used many times recently' },
  {
    name: 'card_customers_7d',
    reason: 'card_shared_by_customers',
    description: 'this card is used by several different customers',
  },
  {
    name: 'device_new_for_customer',
    reason: 'device_new_for_customer',
    description: 'a device this customer has not used before',
  },
  {
    name: 'device_count_1m',
    reason: 'device_velocity',
    description: 'many payments from this device recently',
  },
  {
    name: 'device_count_1h',
    reason: 'device_velocity',
    description: 'many payments from this device recently',
  },
  {
    name: 'device_cards_1h',
    reason: 'device_many_cards',
    description: 'many different cards used from this device',
  },
  {
    name: 'device_cards_24h',
    reason: 'device_many_cards',
    description: 'many different cards used from this device',
  },
  {
    name: 'device_customers_24h',
    reason: 'device_many_customers',
    description: 'several customers pay from this device',
  },
  { name: 'ip_count_1m', reason: 'ip_velocity', description: 'many payments from this IP address recently' },
  { name: 'ip_count_1h', reason: 'ip_velocity', description: 'many payments from this IP address recently' },
  {
    name: 'ip_cards_1h',
    reason: 'ip_many_cards',
    description: 'many different cards used from this IP address',
  },
  {
    name: 'ip_cards_24h',
    reason: 'ip_many_cards',
    description: 'many different cards used from this IP address',
  },
  {
    name: 'ip_country_new_for_customer',
    reason: 'ip_country_new_for_customer',
    description: 'a country this customer has not paid from before',
  },
  {
    name: 'geo_mismatch',
    reason: 'geo_mismatch',
    description: "the card's country differs from the IP address's country",
  },
  {
    name: 'geo_mismatch_little_history',
    reason: 'geo_mismatch',
    description: "the card's country differs from the IP address's country",
  },
  { name: 'device_missing', reason: 'device_missing', description: 'no device id was supplied' },
  { name: 'ip_missing', reason: 'ip_missing', description: 'no IP address was supplied' },
  {
    name: 'takeover_signals',
    reason: 'account_takeover_signals',
    description: 'a new device and a new country on an established account',
  },
  {
    name: 'takeover_amount',
    reason: 'account_takeover_signals',
    description: 'a new device and a new country on an established account, with an unusual amount',
  },
] as const satisfies readonly FeatureDefinition[];

export type FeatureName = (typeof FEATURES)[number]['name'];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;

/** Index of a feature by name, resolved once at module load. */
export const F: Readonly<Record<FeatureName, number>> = Object.fromEntries(
  FEATURES.map((f, i) => [f.name, i]),
) as Record<FeatureName, number>;
