import { ENTRA_KINDS } from '../../ingestion/classify';
import { formFields, requestEvidence } from '../evidence';
import type { FindingId } from '../finding-ids';
import type { Rule } from '../rule';

/** AADSTS codes (digits) with an entry of their own; every other code is ENTRA_TOKEN_ERROR. */
const BY_AADSTS: Record<string, FindingId> = {
  '700016': 'ENTRA_APP_NOT_FOUND',
  '7000215': 'ENTRA_INVALID_CLIENT_SECRET',
  '7000222': 'ENTRA_CLIENT_SECRET_EXPIRED',
  '90002': 'ENTRA_TENANT_NOT_FOUND',
  '1002012': 'ENTRA_INVALID_SCOPE',
  '500011': 'ENTRA_INVALID_SCOPE',
};

export function findingForAadsts(code: string | undefined): FindingId {
  const digits = code?.replace(/^AADSTS/i, '');
  return (digits && BY_AADSTS[digits]) || 'ENTRA_TOKEN_ERROR';
}

/** The tenant segment of /{tenant}/oauth2/v2.0/token or /{tenant}/v2.0/.well-known/openid-configuration. */
function tenantOf(path: string): string | null {
  return path.split('?')[0]?.split('/').filter(Boolean)[0] ?? null;
}

export const entraErrorsRule: Rule = {
  name: 'entra-errors',
  emits: [...new Set([...Object.values(BY_AADSTS), 'ENTRA_TOKEN_ERROR' as const])],
  evaluate(ctx) {
    const status = ctx.status;
    if (!ENTRA_KINDS.includes(ctx.analysis.kind) || status === undefined || status < 400) return [];
    const error = ctx.analysis.tokenError;
    const id = findingForAadsts(error?.aadsts);
    // client_id and scope identify what was asked for; the secret is never read (and is masked anyway).
    const asked =
      ctx.analysis.kind === 'token'
        ? formFields(ctx.exchange.request.body.text, ['client_id', 'scope', 'grant_type'])
        : {};
    const code = error?.aadsts ?? error?.error ?? `HTTP ${status}`;
    return [
      {
        id,
        title: `Entra ID ${ctx.analysis.kind} request failed: ${code}${error?.description ? `: ${error.description.slice(0, 160)}` : ''}`,
        evidence: {
          ...requestEvidence(ctx),
          status,
          tenant: tenantOf(ctx.exchange.request.path),
          error: error?.error ?? null,
          aadsts: error?.aadsts ?? null,
          errorCodes: error?.errorCodes?.map(String) ?? null,
          description: error?.description ?? null,
          traceId: error?.traceId ?? null,
          correlationId: error?.correlationId ?? null,
          ...asked,
        },
      },
    ];
  },
};
