// The fraud service: consumes the events topic as group `paystream-fraud`, keeps card facts from
// CardTokenized, scores every PaymentRequested in event order through the scorer port and
// publishes one ApplyFraudAssessment command per payment, atomically with the batch's offset
// commit (ctx.publish). Escrow turns the command into FraudAssessed and approve/review/decline.
//
// Restart: feature state is snapshotted to the object store (gzip JSON, with the per-partition
// offsets it covers) every N payments / T ms and on stop; on start the latest snapshot is
// restored and only the tail up to the group's committed offsets is replayed, without
// publishing. With no snapshot, the whole topic up to the committed offsets is replayed.

import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FraudDetectorClient } from '@aws-sdk/client-frauddetector';
import { deterministicId, PaystreamError } from '@paystream/core';
import { type EventContext, type EventRecord, sealCommand, TOPICS } from '@paystream/eventing';
import { type Position, partitionKey } from '@paystream/log';
import type { RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import type { Envelope, Payloads } from '@paystream/schemas';
import { awsFraudDetectorScorerPort, type FraudDetectorSender } from './adapters/aws-fraud-detector.js';
import { builtinScorerPort } from './adapters/builtin.js';
import {
  type FraudAssessment,
  type FraudReason,
  MAX_REASONS,
  type PaymentForScoring,
  validatePayment,
} from './domain/input.js';
import { BoundedMap } from './features/bounded-map.js';
import { FEATURES } from './features/definitions.js';
import type { FeatureStoreOptions } from './features/store.js';
import { DEFAULT_MODEL_PATH, loadModelFile } from './model/load.js';
import type { ScorerKind, ScorerPort } from './ports/scorer.js';
import { DEFAULT_RULES_PATH, loadRulesFile } from './rules/load.js';
import type { Rules } from './rules/rules.js';
import { createScorer, type Scorer } from './score.js';
import {
  type CardFacts,
  cardFactsOf,
  cardKey,
  paymentKey,
  toPaymentForScoring,
  unknownCardFacts,
} from './stream/payment.js';
import { replayRange } from './stream/replay.js';
import { FraudState, type FraudStateLimits, parseStateSnapshot } from './stream/state.js';

export const FRAUD_GROUP_ID = 'paystream-fraud';
export const SNAPSHOT_KEY = 'fraud/state-snapshot.json.gz';

export interface AwsScorerSettings {
  readonly detectorId: string;
  readonly detectorVersionId?: string | undefined;
  readonly eventTypeName: string;
  readonly entityType?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly region?: string | undefined;
  /** Injected for tests; otherwise a FraudDetectorClient for `region`. */
  readonly client?: FraudDetectorSender | undefined;
}

export interface SnapshotSettings {
  readonly key?: string;
  /** Snapshot after this many newly scored payments. Default 50,000. */
  readonly everyPayments?: number;
  /** …or after this long with at least one new payment. Default 5 minutes. */
  readonly everyMs?: number;
  /** Write one on stop (after the last commit), so a restart replays nothing. Default true. */
  readonly onStop?: boolean;
}

export interface FraudServiceOptions {
  readonly groupId?: string;
  /** A model artifact; default models/fraud-model.json. */
  readonly model?: unknown;
  /** A rules config or compiled rules; default config/fraud-rules.json. */
  readonly rules?: unknown;
  readonly scorer?: ScorerKind;
  readonly aws?: AwsScorerSettings;
  /** `false`: no snapshots; a restart replays the topic from the beginning. */
  readonly snapshot?: SnapshotSettings | false;
  /**
   * How long a payment whose card is not yet known waits for its CardTokenized (which may sit
   * in a partition not consumed yet) before it is scored without card facts. Default 30 s.
   */
  readonly cardWaitMs?: number;
  readonly maxBatchRecords?: number;
  /** Payments scored concurrently within a batch (matters for a remote scorer). Default 32. */
  readonly scoreConcurrency?: number;
  readonly features?: FeatureStoreOptions;
  readonly limits?: FraudStateLimits;
}

const MODEL_REASON_CODES: ReadonlySet<string> = new Set(FEATURES.map((f) => f.reason));
/** The event types the scorer reads, live and on restart; the rest are skipped undecoded. */
const REPLAY_TYPES: ReadonlySet<string> = new Set(['CardTokenized', 'PaymentRequested']);
const RECENT_COMMANDS = 10_000;

/** The command id for a payment's assessment: the same payment always yields the same id. */
export function assessmentCommandId(tenantId: string, paymentId: string): string {
  return deterministicId('cmd', 'ApplyFraudAssessment', tenantId, paymentId);
}

/**
 * Reasons as the command carries them: integers, in score points. Rule reasons already are;
 * model reasons carry shares of the log-odds, so the model's part of the score is shared out
 * among them in proportion.
 */
export function toWireReasons(a: FraudAssessment): Payloads['ApplyFraudAssessment']['reasons'] {
  let rulePoints = 0;
  let modelTotal = 0;
  for (const r of a.reasons) {
    if (MODEL_REASON_CODES.has(r.code)) modelTotal += Math.max(0, r.contribution);
    else rulePoints += Math.round(r.contribution);
  }
  const modelPoints = Math.max(0, a.score - rulePoints);
  return a.reasons.map((r) => ({
    code: r.code,
    description: r.description,
    contribution: MODEL_REASON_CODES.has(r.code)
      ? modelTotal > 0
        ? Math.round((modelPoints * Math.max(0, r.contribution)) / modelTotal)
        : 0
      : Math.round(r.contribution),
  }));
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const n = v ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new PaystreamError('invalid_config', `${name} must be a positive integer, got ${String(n)}`, name);
  }
  return n;
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw))
    throw new PaystreamError('invalid_config', `${name}: must be a positive integer`, name);
  return Number(raw);
}

/** Options from the environment (FRAUD_* variables; see README). */
export function fraudOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FraudServiceOptions {
  const kind = env.FRAUD_SCORER || 'builtin';
  if (kind !== 'builtin' && kind !== 'aws-fraud-detector') {
    throw new PaystreamError(
      'invalid_config',
      'FRAUD_SCORER: must be builtin or aws-fraud-detector',
      'FRAUD_SCORER',
    );
  }
  const everyPayments = envInt(env, 'FRAUD_SNAPSHOT_EVERY_PAYMENTS');
  const everyMs = envInt(env, 'FRAUD_SNAPSHOT_EVERY_MS');
  const options: FraudServiceOptions = {
    scorer: kind,
    ...(env.FRAUD_MODEL_FILE ? { model: loadModelFile(env.FRAUD_MODEL_FILE) } : {}),
    ...(env.FRAUD_RULES_FILE ? { rules: loadRulesFile(env.FRAUD_RULES_FILE) } : {}),
    snapshot: {
      ...(everyPayments !== undefined ? { everyPayments } : {}),
      ...(everyMs !== undefined ? { everyMs } : {}),
    },
  };
  if (kind === 'aws-fraud-detector') {
    const need = (name: string): string => {
      const v = env[name];
      if (!v)
        throw new PaystreamError(
          'invalid_config',
          `${name}: required when FRAUD_SCORER=aws-fraud-detector`,
          name,
        );
      return v;
    };
    return {
      ...options,
      aws: {
        detectorId: need('FRAUD_AFD_DETECTOR_ID'),
        detectorVersionId: env.FRAUD_AFD_DETECTOR_VERSION || undefined,
        eventTypeName: need('FRAUD_AFD_EVENT_TYPE'),
        entityType: env.FRAUD_AFD_ENTITY_TYPE || undefined,
        timeoutMs: envInt(env, 'FRAUD_AFD_TIMEOUT_MS'),
        region: env.AWS_REGION || undefined,
      },
    };
  }
  return options;
}

type Job =
  | { readonly kind: 'cached'; readonly envelope: Envelope }
  | {
      readonly kind: 'fixed';
      readonly key: string;
      readonly record: EventRecord;
      readonly extra: FraudReason | undefined;
      readonly assessment: FraudAssessment;
    }
  | {
      readonly kind: 'score';
      readonly key: string;
      readonly record: EventRecord;
      readonly extra: FraudReason | undefined;
      readonly payment: PaymentForScoring;
    };

export function createFraudService(options: FraudServiceOptions = {}): ServiceModule {
  return {
    name: 'fraud',
    async start(ctx: ServiceContext): Promise<RunningService> {
      const { engines, logger, metrics } = ctx;
      const { log, bus, objects } = engines;
      const codec = bus.codec;
      const log_ = logger.child({ service: 'fraud' });
      const topic = TOPICS.events;
      const groupId = options.groupId ?? FRAUD_GROUP_ID;
      const maxBatch = positiveInt('maxBatchRecords', options.maxBatchRecords, 500);
      const concurrency = positiveInt('scoreConcurrency', options.scoreConcurrency, 32);
      const cardWaitMs = options.cardWaitMs ?? 30_000;
      const snap = options.snapshot === false ? undefined : (options.snapshot ?? {});
      const snapshotKey = snap?.key ?? SNAPSHOT_KEY;
      const snapshotEveryPayments = positiveInt('snapshot.everyPayments', snap?.everyPayments, 50_000);
      const snapshotEveryMs = positiveInt('snapshot.everyMs', snap?.everyMs, 300_000);

      const latency = metrics.histogram(
        'fraud_scoring_latency_ms',
        'Time to score one payment (ms)',
        ['scorer'],
        [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000],
      );
      const decisions = metrics.counter('fraud_decisions_total', 'Fraud decisions', ['decision']);
      const fallbacks = metrics.counter(
        'fraud_scorer_fallbacks_total',
        'Payments scored by the built-in model because the configured scorer failed',
        ['scorer', 'cause'],
      );
      const duplicates = metrics.counter(
        'fraud_duplicate_payments_total',
        'PaymentRequested events for payments already scored (not scored again)',
      );
      const unknownCards = metrics.counter(
        'fraud_unknown_cards_total',
        'Payments scored without card facts (card never seen tokenized)',
      );
      const invalid = metrics.counter(
        'fraud_invalid_input_total',
        'Payments the scorer could not read, sent to review',
      );
      const snapshots = metrics.counter('fraud_snapshots_total', 'Feature-state snapshots', ['result']);

      // --- model, rules, snapshot --------------------------------------------------------------
      const model = options.model ?? loadModelFile(DEFAULT_MODEL_PATH);
      const rules = (options.rules ?? loadRulesFile(DEFAULT_RULES_PATH)) as Rules | unknown;
      let restored: ReturnType<typeof parseStateSnapshot> | undefined;
      if (snap !== undefined) {
        try {
          const bytes = await objects.get(snapshotKey);
          if (bytes !== null) {
            const s = parseStateSnapshot(JSON.parse(gunzipSync(bytes).toString('utf8')));
            if (s.topic !== topic)
              throw new PaystreamError('invalid_fraud_snapshot', `snapshot is of ${s.topic}`);
            restored = s;
          }
        } catch (err) {
          snapshots.inc({ result: 'unreadable' });
          log_.warn({ err }, 'fraud state snapshot unreadable; rebuilding from the beginning of the log');
        }
      }
      const base = { model, rules, ...(options.features ? { features: options.features } : {}) };
      let scorer: Scorer;
      try {
        scorer = createScorer(restored ? { ...base, snapshot: restored.features } : base);
      } catch (err) {
        if (!(err instanceof PaystreamError) || err.code !== 'invalid_fraud_snapshot') throw err;
        snapshots.inc({ result: 'unreadable' });
        log_.warn({ err }, 'fraud feature snapshot invalid; rebuilding from the beginning of the log');
        restored = undefined;
        scorer = createScorer(base);
      }
      const state = new FraudState(scorer, options.limits);
      if (restored !== undefined) state.load(restored);

      // --- rebuild the tail up to the committed offsets, without publishing ---------------------
      const recent = new BoundedMap<{ lastSeenMs: number; envelope: Envelope }>(
        RECENT_COMMANDS,
        Number.MAX_SAFE_INTEGER,
      );
      const committed = await log.committed(groupId, [topic]);
      const from: Position = restored?.position ?? {};
      const t0 = performance.now();
      let replayed = 0;
      for await (const { envelope, record } of replayRange(
        log,
        codec,
        topic,
        from,
        committed,
        REPLAY_TYPES,
      )) {
        replayed += 1;
        if (envelope.type === 'CardTokenized') {
          applyCard(envelope as Envelope<'CardTokenized'>);
          continue;
        }
        const e = envelope as Envelope<'PaymentRequested'>;
        const key = paymentKey(e.tenantId, e.payload.paymentId);
        if (state.scored.get(key, e.occurredAtMs) !== undefined) continue;
        const { payment } = paymentFor(e);
        if (payment !== undefined) state.scorer.score(payment);
        state.scored.touch(
          key,
          { lastSeenMs: e.occurredAtMs, partition: record.partition, offset: record.offset },
          e.occurredAtMs,
        );
      }
      for (const [k, v] of Object.entries(committed)) state.advance(k, v);
      log_.info(
        { fromSnapshot: restored !== undefined, replayed, ms: Math.round(performance.now() - t0) },
        'fraud feature state rebuilt',
      );

      // --- the scorer port ------------------------------------------------------------------------
      const port: ScorerPort = makePort();
      const onFallback = (cause: string): void => {
        fallbacks.inc({ scorer: port.kind, cause });
      };
      function makePort(): ScorerPort {
        if ((options.scorer ?? 'builtin') === 'builtin') return builtinScorerPort(state.scorer);
        const aws = options.aws;
        if (aws === undefined) {
          throw new PaystreamError(
            'invalid_config',
            'the aws-fraud-detector scorer needs aws settings',
            'aws',
          );
        }
        return awsFraudDetectorScorerPort({
          client:
            aws.client ??
            new FraudDetectorClient({
              region: aws.region ?? ctx.config.kafka?.awsRegion ?? 'us-east-1',
              maxAttempts: 1,
            }),
          detectorId: aws.detectorId,
          detectorVersionId: aws.detectorVersionId,
          eventTypeName: aws.eventTypeName,
          entityType: aws.entityType,
          timeoutMs: aws.timeoutMs,
          builtin: state.scorer,
          rules: state.scorer.rules,
          onFallback: (cause, err) => {
            onFallback(cause);
            log_.warn(
              { cause, errName: err instanceof Error ? err.name : typeof err },
              'fraud scorer fell back',
            );
          },
        });
      }

      function applyCard(e: Envelope<'CardTokenized'>): void {
        const key = cardKey(e.tenantId, e.payload.cardId);
        const prior = state.cards.get(key, e.occurredAtMs);
        const facts = cardFactsOf(e);
        state.cards.touch(
          key,
          { ...facts, lastSeenMs: Math.max(facts.lastSeenMs, prior?.lastSeenMs ?? 0) },
          e.occurredAtMs,
        );
      }

      /** The scorer input, or why there is none; card facts are refreshed as used. */
      function paymentFor(e: Envelope<'PaymentRequested'>): {
        payment: PaymentForScoring | undefined;
        extra: FraudReason | undefined;
      } {
        const t = e.occurredAtMs;
        const ck = cardKey(e.tenantId, e.payload.paymentMethodId);
        let facts: CardFacts | undefined = state.cards.get(ck, t);
        let extra: FraudReason | undefined;
        if (facts === undefined) {
          facts = unknownCardFacts(e.tenantId, e.payload.paymentMethodId, t);
          extra = {
            code: 'card_facts_unknown',
            description: 'the card was not seen tokenized; scored without its BIN, last four or fingerprint',
            contribution: 0,
          };
        } else {
          state.cards.touch(ck, { ...facts, lastSeenMs: Math.max(facts.lastSeenMs, t) }, t);
        }
        const payment = toPaymentForScoring(e, facts);
        try {
          validatePayment(payment);
        } catch (err) {
          if (!(err instanceof PaystreamError)) throw err;
          return {
            payment: undefined,
            extra: {
              code: 'fraud_input_invalid',
              description: `the payment could not be scored (${err.field ?? 'input'} is invalid); sent to review`,
              contribution: 0,
            },
          };
        }
        return { payment, extra };
      }

      // --- waiting for card facts from another partition --------------------------------------
      const waitingSince = new Map<string, number>();
      /** True when some other partition may still hold this payment's CardTokenized. */
      async function cardMayBeBehind(r: EventRecord): Promise<boolean> {
        const partitions = await log.partitionsOf(topic);
        const appendedAt = await log.read(topic, r.position.partition, r.position.offset, 1);
        const ts = appendedAt[0]?.timestampMs ?? Number.MAX_SAFE_INTEGER;
        for (let p = 0; p < partitions; p += 1) {
          if (p === r.position.partition) continue;
          const next = state.applied[partitionKey(topic, p)] ?? 0;
          const pending = await log.read(topic, p, next, 1);
          if (pending[0] !== undefined && pending[0].timestampMs <= ts) return true;
        }
        return false;
      }

      // --- snapshots --------------------------------------------------------------------------
      let newSinceSnapshot = 0;
      let lastSnapshotAt = Date.now();
      async function writeSnapshot(): Promise<boolean> {
        if (snap === undefined) return false;
        // Only a state that covers nothing uncommitted is saved, so a restart never skips a
        // payment whose command was not published.
        const done = await log.committed(groupId, [topic]);
        for (const [k, v] of Object.entries(state.applied)) {
          if (v > (done[k] ?? 0)) {
            snapshots.inc({ result: 'deferred' });
            return false;
          }
        }
        const bytes = gzipSync(JSON.stringify(state.snapshot(topic)));
        await objects.put(snapshotKey, bytes, 'application/gzip');
        snapshots.inc({ result: 'written' });
        newSinceSnapshot = 0;
        lastSnapshotAt = Date.now();
        return true;
      }

      // --- the consumer -----------------------------------------------------------------------
      async function handle(records: readonly EventRecord[], out: EventContext): Promise<void> {
        if (
          snap !== undefined &&
          newSinceSnapshot > 0 &&
          (newSinceSnapshot >= snapshotEveryPayments || Date.now() - lastSnapshotAt >= snapshotEveryMs)
        ) {
          try {
            await writeSnapshot();
          } catch (err) {
            snapshots.inc({ result: 'failed' });
            log_.warn({ err }, 'fraud state snapshot failed; will retry');
          }
        }
        // Card facts first (idempotent), then make sure every payment's card can be known.
        for (const r of records) {
          if (r.envelope.type === 'CardTokenized') applyCard(r.envelope as Envelope<'CardTokenized'>);
        }
        for (const r of records) {
          if (r.envelope.type !== 'PaymentRequested') continue;
          const e = r.envelope as Envelope<'PaymentRequested'>;
          if (state.scored.get(paymentKey(e.tenantId, e.payload.paymentId), e.occurredAtMs) !== undefined)
            continue;
          if (state.cards.get(cardKey(e.tenantId, e.payload.paymentMethodId), e.occurredAtMs) !== undefined)
            continue;
          const since = waitingSince.get(e.eventId) ?? Date.now();
          if (Date.now() - since < cardWaitMs && (await cardMayBeBehind(r))) {
            if (waitingSince.size > 1_000) waitingSince.clear();
            waitingSince.set(e.eventId, since);
            // Nothing has changed yet but card facts: the batch is retried after a back-off,
            // by when the partitions before it have been consumed.
            throw new PaystreamError(
              'fraud_card_facts_pending',
              `payment ${e.payload.paymentId} waits for its card's CardTokenized from another partition`,
              'paymentMethodId',
            );
          }
        }

        const jobs: Job[] = [];
        const inBatch = new Set<string>();
        for (const r of records) {
          if (r.envelope.type !== 'PaymentRequested') continue;
          const e = r.envelope as Envelope<'PaymentRequested'>;
          const key = paymentKey(e.tenantId, e.payload.paymentId);
          const prior = state.scored.get(key, e.occurredAtMs);
          if (prior !== undefined || inBatch.has(key)) {
            const cached = recent.get(key, 0);
            if (
              prior !== undefined &&
              prior.partition === r.position.partition &&
              prior.offset === r.position.offset &&
              cached !== undefined
            ) {
              // The same record again: its batch was not committed, so its command is re-staged.
              jobs.push({ kind: 'cached', envelope: cached.envelope });
            } else {
              duplicates.inc();
            }
            continue;
          }
          inBatch.add(key);
          waitingSince.delete(e.eventId);
          const { payment, extra } = paymentFor(e);
          if (extra?.code === 'card_facts_unknown') unknownCards.inc();
          if (payment === undefined) {
            invalid.inc();
            const reviewAt = state.scorer.rules.thresholds.reviewAt;
            jobs.push({
              kind: 'fixed',
              key,
              record: r,
              extra,
              assessment: {
                score: reviewAt,
                decision: 'review',
                reasons: [],
                modelVersion: port.modelVersion,
              },
            });
            continue;
          }
          jobs.push({ kind: 'score', key, record: r, extra, payment });
        }

        // Score in event order: each score() call observes its payment before returning, so a
        // chunk may be awaited together (a remote scorer then runs its calls concurrently).
        const resolved: (FraudAssessment | undefined)[] = [];
        for (let i = 0; i < jobs.length; i += concurrency) {
          const chunk = jobs.slice(i, i + concurrency).map(async (j) => {
            if (j.kind === 'cached') return undefined;
            if (j.kind === 'fixed') return j.assessment;
            const started = performance.now();
            const a = await port.score(j.payment);
            latency.observe({ scorer: port.kind }, performance.now() - started);
            return a;
          });
          resolved.push(...(await Promise.all(chunk)));
        }

        const envelopes: Envelope[] = [];
        const fresh: { key: string; record: EventRecord; envelope: Envelope; decision: string }[] = [];
        jobs.forEach((j, i) => {
          if (j.kind === 'cached') {
            envelopes.push(j.envelope);
            return;
          }
          const a = resolved[i]!;
          const reasons = j.extra ? [j.extra, ...a.reasons].slice(0, MAX_REASONS) : a.reasons;
          const e = j.record.envelope as Envelope<'PaymentRequested'>;
          const command = sealCommand(
            codec,
            'ApplyFraudAssessment',
            {
              paymentId: e.payload.paymentId,
              score: a.score,
              decision: a.decision,
              reasons: toWireReasons({ ...a, reasons }),
              modelVersion: a.modelVersion,
            },
            {
              eventId: assessmentCommandId(e.tenantId, e.payload.paymentId),
              aggregateId: e.payload.paymentId,
              tenantId: e.tenantId,
              // The event's time, not the wall clock: a redelivery re-creates the same bytes.
              occurredAtMs: e.occurredAtMs,
              causationId: e.eventId,
              correlationId: e.correlationId,
            },
          );
          envelopes.push(command);
          fresh.push({ key: j.key, record: j.record, envelope: command, decision: a.decision });
        });
        if (envelopes.length > 0) out.publish(envelopes);

        for (const f of fresh) {
          const t = f.record.envelope.occurredAtMs;
          state.scored.touch(
            f.key,
            { lastSeenMs: t, partition: f.record.position.partition, offset: f.record.position.offset },
            t,
          );
          recent.touch(f.key, { lastSeenMs: 0, envelope: f.envelope }, 0);
          decisions.inc({ decision: f.decision });
        }
        newSinceSnapshot += fresh.length;
        const last = records.at(-1)!.position;
        state.advance(partitionKey(last.topic, last.partition), last.offset + 1);
      }

      const subscription = await bus.consume(
        { groupId, topics: [topic], maxBatchRecords: maxBatch, start: 'beginning', types: [...REPLAY_TYPES] },
        handle,
      );
      let running = true;
      log_.info({ groupId, scorer: port.kind, modelVersion: port.modelVersion }, 'fraud service started');

      return {
        health: [{ name: 'fraud', check: () => running }],
        async stop() {
          if (!running) return;
          running = false;
          await subscription.stop();
          if (snap !== undefined && snap.onStop !== false) {
            try {
              await writeSnapshot();
            } catch (err) {
              snapshots.inc({ result: 'failed' });
              log_.warn({ err }, 'fraud state snapshot on stop failed; the next start replays more');
            }
          }
        },
      };
    },
  };
}

/** The fraud service with options from the environment (built-in scorer unless FRAUD_SCORER says otherwise). */
export const fraudService: ServiceModule = {
  name: 'fraud',
  start: (ctx) => createFraudService(fraudOptionsFromEnv(process.env)).start(ctx),
};
