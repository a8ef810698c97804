// Amazon Fraud Detector behind the scorer port, for teams that already run a detector there.
// Amazon Fraud Detector closed to new customers on 2025-11-07, so it cannot be exercised here:
// this adapter is unit-tested with the SDK client stubbed, and the built-in model is the product.
//
// Per payment:
//  1. The built-in scorer runs first, always. It keeps the local streaming features current
//     (so a fallback never scores against a stale history) and is the fallback answer.
//  2. GetEventPrediction is called with our input mapped to event variables, bounded by a
//     timeout. Its model scores and rule outcomes become our 0–1000 score, decision and reasons.
//  3. Our own deny / allow lists still apply on top (deny beats allow beats the detector), so
//     the simulator fraud test card is declined whatever the detector says.
//  4. On a timeout, an error or a response we cannot use, the built-in assessment is returned
//     with an `aws_fraud_detector_fallback` reason, and `onFallback` is told why (a metric).

import {
  GetEventPredictionCommand,
  type GetEventPredictionCommandOutput,
} from '@aws-sdk/client-frauddetector';
import { PaystreamError } from '@paystream/core';
import {
  type FraudAssessment,
  type FraudDecision,
  type FraudReason,
  MAX_REASONS,
  MAX_SCORE,
  type PaymentForScoring,
} from '../domain/input.js';
import type { ScorerPort } from '../ports/scorer.js';
import type { Rules } from '../rules/rules.js';
import type { Scorer } from '../score.js';

/** The one SDK call the adapter makes; a FraudDetectorClient satisfies it, and so does a stub. */
export interface FraudDetectorSender {
  send(
    command: GetEventPredictionCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetEventPredictionCommandOutput>;
}

export type FallbackCause = 'timeout' | 'error' | 'invalid_response';

export interface AwsFraudDetectorOptions {
  readonly client: FraudDetectorSender;
  readonly detectorId: string;
  /** Omitted: the detector's active version. */
  readonly detectorVersionId?: string | undefined;
  readonly eventTypeName: string;
  /** The entity type the event type declares for the paying customer. Default `customer`. */
  readonly entityType?: string | undefined;
  /** Upper bound on one GetEventPrediction call. Default 300 ms. */
  readonly timeoutMs?: number | undefined;
  /**
   * Rule outcome name → our decision. Outcomes not listed are reported as reasons but decide
   * nothing. Default: approve → approve; review, investigate → review; block, decline, deny → decline.
   */
  readonly outcomeDecisions?: Readonly<Record<string, FraudDecision>> | undefined;
  /** The built-in scorer: keeps features current and answers when the detector cannot. */
  readonly builtin: Scorer;
  /** Our rules: deny / allow lists and the thresholds that keep score and decision consistent. */
  readonly rules: Rules;
  readonly onFallback?: ((cause: FallbackCause, error: unknown) => void) | undefined;
}

export const DEFAULT_OUTCOME_DECISIONS: Readonly<Record<string, FraudDecision>> = {
  approve: 'approve',
  review: 'review',
  investigate: 'review',
  block: 'decline',
  decline: 'decline',
  deny: 'decline',
};

export const DEFAULT_AFD_TIMEOUT_MS = 300;
const MAX_AFD_TIMEOUT_MS = 10_000;
const SEVERITY: Readonly<Record<FraudDecision, number>> = { approve: 0, review: 1, decline: 2 };

/**
 * Our payment as Amazon Fraud Detector event variables. Names are lower snake case as the
 * service requires; the event type in the detector must declare the ones it uses. Absent
 * optional signals are left out (the detector then uses each variable's default value). Only
 * tokenized card data is sent: the BIN, the last four and the opaque fingerprint.
 */
export function toEventVariables(p: PaymentForScoring): Record<string, string> {
  const v: Record<string, string> = {
    tenant_id: p.tenantId,
    customer_id: p.customerId,
    provider_id: p.providerId,
    amount_minor: String(p.amountMinor),
    currency: p.currency,
    card_bin: p.cardBin,
    card_last4: p.cardLast4,
    card_fingerprint: p.cardFingerprint,
  };
  if (p.cardCountry !== undefined) v.card_country = p.cardCountry;
  if (p.ipAddress !== undefined) v.ip_address = p.ipAddress;
  if (p.ipCountry !== undefined) v.ip_country = p.ipCountry;
  if (p.deviceId !== undefined) v.device_id = p.deviceId;
  if (p.email !== undefined) v.email_address = p.email;
  return v;
}

class InvalidResponse extends Error {
  override readonly name = 'InvalidResponse';
}

class Timeout extends Error {
  override readonly name = 'TimeoutError';
}

function reasonCode(prefix: string, id: string): string {
  return `${prefix}${id.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}`.slice(0, 80);
}

/** Moves `score` into the band of `decision` under the thresholds; returns the new score. */
function intoBand(score: number, decision: FraudDecision, rules: Rules): number {
  const { reviewAt, declineAt } = rules.thresholds;
  if (decision === 'decline') return Math.max(score, declineAt);
  if (decision === 'review') return Math.min(Math.max(score, reviewAt), declineAt - 1);
  return Math.min(score, Math.max(0, reviewAt - 1));
}

/**
 * Maps a GetEventPrediction result to our assessment (before our deny / allow lists).
 * Score: the highest model score (Fraud Detector model scores are already 0–1000), or the
 * built-in score when the detector returned rule outcomes only. Decision: the most severe mapped
 * rule outcome, else our thresholds on the score. The score is then moved into the decision's
 * band so a report never shows, say, a score of 120 next to "decline".
 */
export function mapPrediction(
  out: GetEventPredictionCommandOutput,
  ctx: {
    readonly rules: Rules;
    readonly outcomeDecisions: Readonly<Record<string, FraudDecision>>;
    readonly builtinScore: number;
    readonly modelVersion: string;
  },
): FraudAssessment {
  const modelReasons: FraudReason[] = [];
  let best: number | undefined;
  for (const m of out.modelScores ?? []) {
    for (const [name, value] of Object.entries(m.scores ?? {})) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidResponse(`model score ${name} is not a finite number`);
      }
      const s = Math.round(Math.min(Math.max(value, 0), MAX_SCORE));
      best = best === undefined ? s : Math.max(best, s);
      const mv = m.modelVersion;
      const label = mv
        ? `${mv.modelId ?? '?'} v${mv.modelVersionNumber ?? '?'} (${mv.modelType ?? '?'})`
        : name;
      modelReasons.push({
        code: 'aws_model_score',
        description: `Amazon Fraud Detector model ${label} scored ${s} (${name})`,
        contribution: s,
      });
    }
  }
  let decided: FraudDecision | undefined;
  let decidingRule: string | undefined;
  const ruleReasons: FraudReason[] = [];
  for (const r of out.ruleResults ?? []) {
    const outcomes = r.outcomes ?? [];
    if (outcomes.length === 0) continue;
    const ruleId = r.ruleId ?? 'unnamed';
    for (const o of outcomes) {
      const d = ctx.outcomeDecisions[o];
      if (d !== undefined && (decided === undefined || SEVERITY[d] > SEVERITY[decided])) {
        decided = d;
        decidingRule = ruleId;
      }
    }
    ruleReasons.push({
      code: reasonCode('aws_rule_', ruleId),
      description: `Amazon Fraud Detector rule ${ruleId} matched with outcome ${outcomes.join(', ')}`,
      contribution: 0,
    });
  }
  if (best === undefined && decided === undefined) {
    throw new InvalidResponse('no model score and no mapped rule outcome');
  }
  const raw = best ?? ctx.builtinScore;
  const decision = decided ?? ctx.rules.decide(raw);
  const score = intoBand(raw, decision, ctx.rules);
  const reasons = ruleReasons.map((r) =>
    decidingRule !== undefined && r.code === reasonCode('aws_rule_', decidingRule)
      ? { ...r, contribution: score - raw }
      : r,
  );
  // The deciding rule first, then the model scores, then any other matched rules.
  reasons.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const ordered = [
    ...reasons.filter((r) => r.contribution !== 0),
    ...modelReasons.sort((a, b) => b.contribution - a.contribution),
    ...reasons.filter((r) => r.contribution === 0),
  ];
  return { score, decision, reasons: ordered.slice(0, MAX_REASONS), modelVersion: ctx.modelVersion };
}

function requireText(field: string, v: string | undefined): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 256) {
    throw new PaystreamError(
      'invalid_config',
      `${field} must be a non-empty string of at most 256 characters`,
      field,
    );
  }
  return v;
}

export function awsFraudDetectorScorerPort(options: AwsFraudDetectorOptions): ScorerPort {
  const detectorId = requireText('detectorId', options.detectorId);
  const eventTypeName = requireText('eventTypeName', options.eventTypeName);
  const entityType = requireText('entityType', options.entityType ?? 'customer');
  const timeoutMs = options.timeoutMs ?? DEFAULT_AFD_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_AFD_TIMEOUT_MS) {
    throw new PaystreamError(
      'invalid_config',
      `timeoutMs must be an integer from 1 to ${MAX_AFD_TIMEOUT_MS}, got ${String(timeoutMs)}`,
      'timeoutMs',
    );
  }
  const outcomeDecisions = options.outcomeDecisions ?? DEFAULT_OUTCOME_DECISIONS;
  const modelVersion = `aws-fraud-detector/${detectorId}/${options.detectorVersionId ?? 'active'}`;
  const { builtin, rules } = options;

  async function predict(p: PaymentForScoring): Promise<GetEventPredictionCommandOutput> {
    const command = new GetEventPredictionCommand({
      detectorId,
      ...(options.detectorVersionId !== undefined ? { detectorVersionId: options.detectorVersionId } : {}),
      eventId: p.paymentId,
      eventTypeName,
      eventTimestamp: new Date(p.occurredAtMs).toISOString(),
      entities: [{ entityType, entityId: p.customerId }],
      eventVariables: toEventVariables(p),
    });
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first: aborting makes the SDK call reject too, and the race must see the timeout.
        reject(new Timeout(`GetEventPrediction took longer than ${timeoutMs} ms`));
        abort.abort();
      }, timeoutMs);
    });
    try {
      return await Promise.race([options.client.send(command, { abortSignal: abort.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    kind: 'aws-fraud-detector',
    modelVersion,
    score(payment) {
      // Synchronously, before any await: features observe this payment in call order, so a
      // caller may start several payments in event order and await them together.
      let local: FraudAssessment;
      try {
        local = builtin.score(payment);
      } catch (err) {
        return Promise.reject(err);
      }
      return (async () => {
        let assessed: FraudAssessment;
        try {
          const out = await predict(payment);
          assessed = mapPrediction(out, {
            rules,
            outcomeDecisions,
            builtinScore: local.score,
            modelVersion,
          });
        } catch (err) {
          const cause: FallbackCause =
            err instanceof Timeout
              ? 'timeout'
              : err instanceof InvalidResponse
                ? 'invalid_response'
                : 'error';
          options.onFallback?.(cause, err);
          const name = err instanceof Error ? err.name : 'Error';
          const reason: FraudReason = {
            code: 'aws_fraud_detector_fallback',
            description: `Amazon Fraud Detector ${cause === 'error' ? `failed (${name})` : cause === 'timeout' ? `timed out after ${timeoutMs} ms` : 'returned no usable score'}; scored by the built-in model`,
            contribution: 0,
          };
          return { ...local, reasons: [reason, ...local.reasons].slice(0, MAX_REASONS) };
        }
        // Our lists still apply on top of the detector: deny beats allow beats the detector.
        const deny = rules.denyHit(payment);
        if (deny !== undefined) {
          return {
            score: MAX_SCORE,
            decision: 'decline',
            reasons: [{ ...deny, contribution: MAX_SCORE - assessed.score }, ...assessed.reasons].slice(
              0,
              MAX_REASONS,
            ),
            modelVersion,
          };
        }
        const allow = rules.allowHit(payment);
        if (allow !== undefined) {
          const capped = intoBand(assessed.score, 'approve', rules);
          return {
            score: capped,
            decision: 'approve',
            reasons: [{ ...allow, contribution: capped - assessed.score }, ...assessed.reasons].slice(
              0,
              MAX_REASONS,
            ),
            modelVersion,
          };
        }
        return assessed;
      })();
    },
  };
}
