import { randomUUID } from 'node:crypto';
import { diagnose } from '../diagnosis';
import type { Finding } from '../model/finding';
import { exchangeOf } from './exchange-of';
import { localAuthOf } from './local-auth';
import { postJson } from './http-post';
import type { ParsedTarget } from './parse-step';
import type { ProxyAddress } from './tunnel';
import type { StepResult, StepStatus } from './types';

/** The one record the check sends: a trace that says what it is, so nobody mistakes it for the app's. */
export function testRecord(iKey: string, runId: string, now = new Date()): object[] {
  return [
    {
      ver: 1,
      name: 'Microsoft.ApplicationInsights.Message',
      time: now.toISOString(),
      sampleRate: 100,
      iKey,
      tags: {
        'ai.cloud.role': 'appinsights-auth-proxy-check',
        'ai.internal.sdkVersion': 'aiproxy-check:1',
        'ai.operation.id': runId.replace(/-/g, ''),
      },
      data: {
        baseType: 'MessageData',
        baseData: {
          ver: 2,
          message: `appinsights-auth-proxy check: connectivity test record ${runId} (safe to ignore)`,
          severityLevel: 1,
          properties: { source: 'appinsights-auth-proxy check', checkRunId: runId },
        },
      },
    },
  ];
}

function statusOf(status: number | undefined): StepStatus {
  if (status === undefined) return 'failed';
  if (status === 200) return 'ok';
  // Partial acceptance, throttling and server errors are not a configuration block: retry later.
  if (status === 206 || status === 429 || status === 439 || status >= 500) return 'warning';
  return 'failed';
}

/**
 * Step 4 (and 5): one labelled record to v2.1/track with the token (or v2/track without one, to
 * learn whether local authentication is disabled); the answer goes through the proxy's diagnosis.
 */
export async function trackStep(
  target: ParsedTarget,
  token: string | undefined,
  via: ProxyAddress | undefined,
  timeoutMs: number,
  path: 'v2.1/track' | 'v2/track' = 'v2.1/track',
): Promise<StepResult> {
  const runId = randomUUID();
  const url = new URL(path, target.ingestionEndpoint).toString();
  const headers: Record<string, string> = {
    'user-agent': 'appinsights-auth-proxy-check',
    'x-ms-client-request-id': runId,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const body = JSON.stringify(testRecord(target.cs.instrumentationKey, runId));
  const seen = await postJson(url, headers, body, via, timeoutMs);
  // A connection string whose audience names another cloud than its host: judge the token by the host.
  const connectionStrings = target.audienceMismatch ? [] : [target.cs];
  const { analysis, findings } = diagnose(exchangeOf(seen), { connectionStrings, expectEntra: false });
  const shown: Finding[] = findings.filter((f) => f.id !== 'SDK_SELF_TELEMETRY');
  const accepted = analysis.ingestionResponse?.itemsAccepted;
  const details = {
    url: url.replace(target.cs.instrumentationKey, target.cs.maskedIkey),
    requestId: runId,
    status: seen.status ?? null,
    reason: seen.reason ?? null,
    itemsAccepted: accepted ?? null,
    serviceMessage: analysis.serviceMessage ?? null,
    withToken: Boolean(token),
  };
  const step = path === 'v2/track' ? 'local-auth' : 'track';
  if (seen.error) {
    return {
      step,
      status: 'failed',
      summary: `POST ${path} failed: ${seen.error}`,
      details,
      findings: shown,
    };
  }
  if (step === 'local-auth') {
    const localAuth = localAuthOf(seen.status, shown);
    const answer = `POST v2/track without a token → ${seen.status} ${seen.reason ?? ''}`.trim();
    return {
      step,
      status: 'info',
      summary:
        localAuth === 'disabled'
          ? `${answer}: local authentication is disabled (Entra ID only); every sender needs a token and v2.1/track`
          : localAuth === 'enabled'
            ? `${answer}: local authentication is enabled (telemetry without a token is accepted)`
            : `${answer}: this answer does not say whether local authentication is disabled${analysis.serviceMessage ? ` (${analysis.serviceMessage})` : ''}`,
      details: { ...details, localAuth },
      // Expected answers for the probe: shown, but they do not block the verdict.
      findings: shown.map((f) => ({ ...f, severity: 'info' as const })),
    };
  }
  return {
    step,
    status: statusOf(seen.status),
    summary:
      `POST ${path} ${token ? 'with the token' : 'without a token'} → ${seen.status} ${seen.reason ?? ''}${accepted !== undefined ? ` (${accepted} accepted)` : ''}${analysis.serviceMessage ? `: ${analysis.serviceMessage}` : ''}`.trim(),
    details,
    findings: shown,
  };
}
