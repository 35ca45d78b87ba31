import { requestEvidence } from '../evidence';
import { RETRIABLE_ITEM_STATUSES, SAMPLED_OUT_TEXT } from '../patterns';
import type { Rule } from '../rule';
import { authRejection } from './auth-rejection';
import { saysInvalidIkey } from './invalid-ikey';
import { APP_TRACK_KINDS } from './kinds';

/** Statuses whose body judges items one by one (401/403 bodies also use errors[], for the whole batch). */
const PER_ITEM_STATUSES = [200, 206, 400];

export const partialAcceptanceRule: Rule = {
  name: 'partial-acceptance',
  emits: ['PARTIAL_ACCEPTANCE'],
  evaluate(ctx) {
    const response = ctx.analysis.ingestionResponse;
    const status = ctx.status;
    if (!APP_TRACK_KINDS.includes(ctx.analysis.kind) || status === undefined) return [];
    if (!PER_ITEM_STATUSES.includes(status) || saysInvalidIkey(ctx)) return [];
    // Refused as a whole for authentication: its item errors say so for every item, not "some items".
    if (authRejection(ctx)) return [];
    const received = response?.itemsReceived;
    const accepted = response?.itemsAccepted;
    const short = received !== undefined && accepted !== undefined && accepted < received;
    if (status !== 206 && !short) return [];
    const errors = response?.errors ?? [];
    // A 400 without per-item errors refused the whole batch (auth, bad key): not a partial acceptance.
    if (status === 400 && !errors.some((e) => e.index !== undefined)) return [];

    const sampledOut = errors.filter(
      (e) => e.statusCode === 206 || SAMPLED_OUT_TEXT.test(e.message ?? ''),
    ).length;
    const retriable = errors.filter(
      (e) => e.statusCode !== undefined && RETRIABLE_ITEM_STATUSES.includes(e.statusCode),
    ).length;
    const rejected = errors.length - sampledOut - retriable;
    const examples = [...new Set(errors.map((e) => e.message).filter((m): m is string => Boolean(m)))].slice(
      0,
      3,
    );
    const onlySampling = errors.length > 0 && sampledOut === errors.length;
    return [
      {
        id: 'PARTIAL_ACCEPTANCE',
        severity: onlySampling ? 'info' : undefined,
        title: onlySampling
          ? `${accepted ?? '?'} of ${received ?? '?'} items accepted; the rest were sampled out by ingestion sampling`
          : `${accepted ?? '?'} of ${received ?? '?'} items accepted (${sampledOut} sampled out, ${retriable} retriable, ${rejected} rejected)`,
        evidence: {
          ...requestEvidence(ctx),
          status,
          itemsReceived: received ?? null,
          itemsAccepted: accepted ?? null,
          sampledOut,
          retriable,
          rejected,
          errorCount: response?.errorCount ?? 0,
          examples,
        },
      },
    ];
  },
};
