import type { Rule } from '../rule';
import { clientTlsRule } from './client-tls';
import { entraErrorsRule } from './entra-errors';
import { entraOnlyV2Rule } from './entra-only-v2';
import { ikeyMismatchRule } from './ikey-mismatch';
import { invalidIkeyRule } from './invalid-ikey';
import { liveMetricsRule } from './live-metrics';
import { managedIdentityRule } from './managed-identity';
import { partialAcceptanceRule } from './partial-acceptance';
import { redirectRule } from './redirect';
import { roleMissingRule } from './role-missing';
import { selfTelemetryRule } from './self-telemetry';
import { serverErrorRule } from './server-error';
import { throttledRule } from './throttled';
import { tokenAudienceRule } from './token-audience';
import { tokenExpiredRule } from './token-expired';
import { tokenMalformedRule } from './token-malformed';
import { tokenMissingRule } from './token-missing';
import { tokenRejectedRule } from './token-rejected';
import { upstreamRule } from './upstream';
import { v2PathRule } from './v2-path';
import { v2TokenRule } from './v2-token';

/**
 * Every rule. Their order does not matter: diagnose() lists findings in the catalog's fix order
 * (src/diagnosis/catalog/order.ts), the one order the report and explain use too.
 */
export const RULES: readonly Rule[] = [
  clientTlsRule,
  upstreamRule,
  entraErrorsRule,
  managedIdentityRule,
  entraOnlyV2Rule,
  v2TokenRule,
  v2PathRule,
  tokenMissingRule,
  tokenMalformedRule,
  tokenExpiredRule,
  tokenAudienceRule,
  tokenRejectedRule,
  roleMissingRule,
  liveMetricsRule,
  invalidIkeyRule,
  ikeyMismatchRule,
  partialAcceptanceRule,
  throttledRule,
  redirectRule,
  serverErrorRule,
  selfTelemetryRule,
];
