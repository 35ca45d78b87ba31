import { ENTRA_KINDS } from '../../ingestion/classify';
import { formFields, requestEvidence } from '../evidence';
import { BY_AADSTS, findingForAadsts } from '../aadsts';
import type { Rule } from '../rule';

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
        title: `Entra ID ${ctx.analysis.kind} request failed: ${titleDetail(code, error?.description)}`,
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

/** "AADSTS700016: Application … not found" once, not "AADSTS700016: AADSTS700016: …". */
function titleDetail(code: string, description: string | undefined): string {
  if (!description) return code;
  const text = description.split(/\r?\n/)[0]!.slice(0, 160);
  return text.startsWith(code) ? text : `${code}: ${text}`;
}
