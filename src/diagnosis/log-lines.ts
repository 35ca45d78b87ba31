import type { Runtime } from '../model/finding';
import { BY_AADSTS, findingForAadsts } from './aadsts';

/**
 * Recognisers for what the SDKs and agents write to their own logs when telemetry fails, each
 * pointing at catalog entries by id. Every pattern was checked against the SDK's own source text
 * (the repository and path are in test/sinks/explain.test.ts next to each wording, and in
 * docs/fidelity.md); wordings that changed between versions are matched in each form.
 * A line matches at most one recogniser (the first); a line none knows is not reported: every
 * pattern needs SDK-specific wording, so ordinary application logs stay silent.
 */

export interface Recognition {
  /** Which recogniser matched (stable name, for tests and `--json`). */
  recogniser: string;
  /** Whose log this is, when the wording says so. */
  runtime?: Runtime;
  /** What the line says, in one sentence. */
  meaning: string;
  /** Catalog entry ids, most likely first. */
  ids: string[];
  /** Entries that give the same line but that only the traffic can tell apart. */
  alsoPossible: string[];
}

type Ids = Pick<Recognition, 'ids' | 'alsoPossible'>;

interface Recogniser {
  name: string;
  runtime?: Runtime;
  pattern: RegExp;
  meaning: string;
  entries: (match: RegExpExecArray, line: string) => Ids;
}

const ids = (primary: string[], alsoPossible: string[] = []): Ids => ({ ids: primary, alsoPossible });

/** AADSTS codes with an entry of their own: the diagnosis' own table (one catalog, one mapping). */
const KNOWN_AADSTS = BY_AADSTS;

const AADSTS = /\bAADSTS(\d{5,8})\b/;
const MANAGED_IDENTITY = /ManagedIdentity|managed identity|IMDS|169\.254\.169\.254|Identity not found/i;
/**
 * The identity endpoint was never reached: Java's "cannot be established, <cause>" (a 400 gives the
 * same words without a cause), a timeout, a socket error, no response. No identity was looked up.
 */
const IDENTITY_ENDPOINT_UNREACHED =
  /cannot be established,\s*\S|timed out|\bE(?:CONNREFUSED|TIMEDOUT|HOSTUNREACH|NETUNREACH)\b|network is unreachable|no route to host|no response/i;

/** A token could not be obtained: which entry the rest of the line points at. */
function credentialFailure(line: string, fallback: Ids): Ids {
  const code = AADSTS.exec(line)?.[1];
  if (code) return ids([findingForAadsts(code)]);
  if (/was not found in the directory/i.test(line)) return ids(['ENTRA_APP_NOT_FOUND']);
  if (MANAGED_IDENTITY.test(line) && IDENTITY_ENDPOINT_UNREACHED.test(line))
    return ids(['TOKEN_MISSING'], ['MANAGED_IDENTITY_ERROR']);
  if (MANAGED_IDENTITY.test(line)) return ids(['MANAGED_IDENTITY_NOT_FOUND'], ['MANAGED_IDENTITY_ERROR']);
  return fallback;
}

/** What an ingestion status means when the SDK log gives only the number. */
function byStatus(status: number, line: string): Ids {
  if (status === 401)
    return ids(['TOKEN_MISSING'], ['TOKEN_REJECTED', 'TOKEN_EXPIRED', 'TOKEN_WRONG_AUDIENCE']);
  if (status === 403) return ids(['ROLE_MISSING'], ['TOKEN_WRONG_AUDIENCE', 'TOKEN_EXPIRED']);
  if (status === 400 && /Invalid instrumentation key/i.test(line))
    return ids(['INVALID_INSTRUMENTATION_KEY']);
  if (status === 400 && /Authentication not supported/i.test(line))
    return ids(['ENTRA_ONLY_RESOURCE_V2_PATH']);
  if (status === 400)
    return ids(
      ['ENTRA_ONLY_RESOURCE_V2_PATH'],
      ['TOKEN_MISSING', 'INVALID_INSTRUMENTATION_KEY', 'PARTIAL_ACCEPTANCE'],
    );
  if (status === 206) return ids(['PARTIAL_ACCEPTANCE']);
  if (status === 402 || status === 429 || status === 439) return ids(['THROTTLED']);
  if (status === 307 || status === 308) return ids(['INGESTION_REDIRECT']);
  if (status === 408 || status >= 500) return ids(['INGESTION_SERVER_ERROR']);
  return ids([]);
}

const status = (m: RegExpExecArray, line: string) => byStatus(Number(m[1]), line);

const TLS_TRUST = ids(['CLIENT_DOES_NOT_TRUST_PROXY_CA']);
const INVALID_IKEY_LINE = /Invalid instrumentation key/i;

/** First match wins: specific wordings before generic ones. */
const RECOGNISERS: Recogniser[] = [
  // ── Java agent ──────────────────────────────────────────────────────────────────────────
  {
    name: 'java-3.2-status',
    runtime: 'java',
    // 3.2.0–3.2.4 wrote `code:401, please`; the article quotes `code: 401, please`; 3.2.0-BETA `code:401 ,please`.
    pattern: /Failed to send telemetry with status code:\s*(\d{3})\s*,\s*please check your credentials/i,
    meaning: 'Java agent 3.2.x: ingestion refused a batch with this status.',
    entries: (m, line) => onV21(status(m, line)),
  },
  {
    name: 'java-401',
    runtime: 'java',
    // 3.2.5 and later: `<errors[0].message>. Please provide Azure Active Directory credentials`.
    pattern: /Please provide Azure Active Directory credentials/,
    meaning:
      'Java agent: ingestion answered 401, the resource requires an Entra ID token and none (or no valid one) was sent.',
    entries: () => ids(['TOKEN_MISSING'], ['TOKEN_REJECTED', 'TOKEN_EXPIRED']),
  },
  {
    name: 'java-401-authentication-required',
    runtime: 'java',
    // The same 401 when only the service's message survives (a wrapped or cut line): the operation
    // name, or the ` * ` of a 5-minute aggregate, then the body's `Authentication required`.
    pattern: /(?:Sending telemetry to the ingestion service.*?: |^\s*\* )Authentication required\b/,
    meaning:
      'Java agent: ingestion answered 401 "Authentication required": no valid Entra ID token came with the batch.',
    entries: () => ids(['TOKEN_MISSING'], ['TOKEN_REJECTED', 'TOKEN_EXPIRED']),
  },
  {
    name: 'java-403',
    runtime: 'java',
    pattern: /Please check your Azure Active Directory credentials, they might be incorrect or expired/,
    meaning:
      'Java agent: ingestion answered 403, the token was read but does not allow ingesting into this resource.',
    entries: () => ids(['ROLE_MISSING'], ['TOKEN_WRONG_AUDIENCE', 'TOKEN_EXPIRED']),
  },
  {
    name: 'java-unparsable-status',
    runtime: 'java',
    // `ingestion service returned` in 3.2.5–3.2.11, `Ingestion service returned` from 3.3.0.
    pattern: /[Ii]ngestion service returned (\d{3}), but could not parse response as json/,
    meaning:
      'Java agent: ingestion (or something in front of it) answered with this status and a non-JSON body.',
    entries: (m, line) => onV21(status(m, line)),
  },
  {
    name: 'java-daily-quota',
    runtime: 'java',
    // 3.2.5–3.2.11: `received response code 402 (monthly quota …` / `439 (daily quota …`; 3.3.0 on: `Received … (daily quota …`.
    pattern: /[Rr]eceived response code (\d{3}) \((?:daily|monthly) quota exceeded/,
    meaning: 'Java agent: the daily cap of the resource was reached.',
    entries: () => ids(['THROTTLED']),
  },
  {
    name: 'java-response-code',
    runtime: 'java',
    // The operation name on the same line, or the ` * message (k times)` line of a 5-minute aggregate.
    // `received response code` in 3.2.5–3.2.11 (and for unlisted codes since), `Received` from 3.3.0.
    pattern: /(?:Sending telemetry to the ingestion service.*?: |^\s*\* )[Rr]eceived response code:? (\d{3})/,
    meaning: 'Java agent: ingestion answered with this status.',
    entries: (m, line) => onV21(status(m, line)),
  },
  {
    name: 'java-redirect',
    runtime: 'java',
    pattern: /(?:Sending telemetry to the ingestion service.*?: |^\s*\* )Too many redirects/,
    meaning: 'Java agent: a redirect from ingestion was not followed, so the batch was not delivered.',
    entries: () => ids(['INGESTION_REDIRECT']),
  },
  {
    name: 'java-pkix',
    runtime: 'java',
    pattern: /unable to find valid certification path to requested target|PKIX path building failed/i,
    meaning: 'The JVM does not trust the certificate it was shown: through this proxy, that is the proxy CA.',
    entries: () => TLS_TRUST,
  },
  {
    name: 'java-unknown-host',
    runtime: 'java',
    pattern: /Unable to resolve host in url/,
    meaning: 'Java agent: the host name of the endpoint (or of the proxy) does not resolve from the app.',
    entries: () => ids(['UPSTREAM_UNREACHABLE']),
  },
  {
    name: 'java-config-clientid',
    runtime: 'java',
    pattern: /AAD Authentication configuration of type .* is missing "\w+"/,
    meaning:
      'Java agent: the authentication block of applicationinsights.json is incomplete, so no token is requested.',
    entries: () => ids(['TOKEN_MISSING']),
  },
  // ── .NET ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'dotnet-failed-to-get-token',
    runtime: 'dotnet',
    pattern: /Failed to get AAD Token\. Error message:/,
    meaning:
      '.NET SDK (CoreEventSource event 73): the credential could not get a token, so telemetry goes without one.',
    entries: (_m, line) =>
      credentialFailure(line, ids(['ENTRA_TOKEN_ERROR'], ['MANAGED_IDENTITY_NOT_FOUND'])),
  },
  {
    name: 'dotnet-authenticated-transmission-error',
    runtime: 'dotnet',
    pattern: /AuthenticatedTransmissionError\..*?Status Code: (\d{3})/,
    meaning: '.NET SDK (event 78): ingestion refused a batch sent with a token; sending pauses for a minute.',
    entries: (m, line) =>
      Number(m[1]) === 401
        ? ids(['TOKEN_REJECTED'], ['TOKEN_EXPIRED', 'TOKEN_WRONG_AUDIENCE'])
        : status(m, line),
  },
  {
    name: 'dotnet-quickpulse-token',
    runtime: 'dotnet',
    pattern: /QuickPulse failed to get an auth token/,
    meaning: '.NET SDK: live metrics could not get a token (the Core event source has the exception).',
    entries: () => ids(['ENTRA_TOKEN_ERROR'], ['LIVE_METRICS_UNAUTHORIZED']),
  },
  {
    name: 'dotnet-redirect',
    runtime: 'dotnet',
    pattern: /Ingestion Service responded with redirect\./,
    meaning: '.NET SDK: ingestion redirected the SDK to another endpoint.',
    entries: () => ids(['INGESTION_REDIRECT']),
  },
  {
    name: 'dotnet-exporter-transmission-failed',
    runtime: 'dotnet',
    pattern: /Transmission failed\. StatusCode: (\d{3})\./,
    meaning: '.NET Azure Monitor exporter: ingestion refused a batch with this status.',
    entries: (m, line) => dotnetExporterStatus(Number(m[1]), line),
  },
  {
    name: 'dotnet-tls',
    runtime: 'dotnet',
    pattern:
      /remote certificate is invalid (?:according to the validation procedure|because of errors in the certificate chain)|RemoteCertificateChainErrors/,
    meaning: '.NET does not trust the certificate it was shown: through this proxy, that is the proxy CA.',
    entries: () => TLS_TRUST,
  },
  // ── Python ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'python-401',
    runtime: 'python',
    pattern: /Retryable server side error: .*configured to use entra ID authentication/i,
    meaning: 'Python exporter: ingestion answered 401, the resource wants an Entra ID token.',
    entries: () => ids(['TOKEN_MISSING'], ['TOKEN_REJECTED', 'TOKEN_EXPIRED']),
  },
  {
    name: 'python-403',
    runtime: 'python',
    pattern: /Retryable server side error: .*Monitoring Metrics Publisher/,
    meaning: 'Python exporter: ingestion answered 403, the identity may not ingest into this resource.',
    entries: () => ids(['ROLE_MISSING'], ['TOKEN_WRONG_AUDIENCE']),
  },
  {
    name: 'python-invalid-status',
    runtime: 'python',
    pattern: /(?:Non-retryable|Retryable) server side error: Operation returned an invalid status '([^']+)'/,
    meaning: 'Python exporter: ingestion refused the batch.',
    entries: (m) => onV21(reasonPhrase(m[1] ?? '')),
  },
  {
    name: 'python-data-drop',
    runtime: 'python',
    // `Data drop %s: %s %s.` (status, message, envelope): an item of a 206 that will not be retried.
    pattern: /\bData drop (\d{3}): /,
    meaning:
      'Python exporter (or OpenCensus): ingestion refused one item of a batch for good (the rest may have been accepted).',
    entries: (_m, line) =>
      INVALID_IKEY_LINE.test(line) ? ids(['INVALID_INSTRUMENTATION_KEY']) : ids(['PARTIAL_ACCEPTANCE']),
  },
  {
    name: 'opencensus-credential-error',
    runtime: 'python',
    // `Credential error. %s. Dropping telemetry.` (every opencensus-ext-azure since 1.1.1). The %s of
    // DefaultAzureCredential spans lines, so the first line may end before "Dropping telemetry".
    pattern: /\bCredential error\. (?:.*Dropping telemetry|\w*Credential\b)/,
    meaning:
      'OpenCensus exporter: the credential lacks something it needs (for example a managed identity the host does not have), so no token and no telemetry.',
    entries: (_m, line) => credentialFailure(line, ids(['TOKEN_MISSING'], ['MANAGED_IDENTITY_NOT_FOUND'])),
  },
  {
    name: 'opencensus-401',
    runtime: 'python',
    // `Authentication error %s: %s.` (1.1.1–1.1.6); 1.1.7 and later append ` Retrying.` The %s is the
    // service's JSON body: required, so an application's own "Authentication error 401: ..." stays silent.
    pattern: /\bAuthentication error (401): (?=.*(?:"errors"|itemsReceived|Retrying|opencensus))/,
    meaning: 'OpenCensus exporter: ingestion answered 401.',
    entries: status,
  },
  {
    name: 'opencensus-403',
    runtime: 'python',
    // `Forbidden error %s: %s.` (1.1.1–1.1.6); 1.1.7 and later append ` Retrying.`
    pattern: /\bForbidden error (403): (?=.*(?:"errors"|itemsReceived|Retrying|opencensus))/,
    meaning: 'OpenCensus exporter: ingestion answered 403.',
    entries: status,
  },
  {
    name: 'opencensus-status',
    runtime: 'python',
    // `Non-retryable server side error %s: %s.` (400 and others, every version) and
    // `Transient server side error %s: %s.` (1.1.6 and earlier; ` Retrying.` appended from 1.1.7).
    // Later versions post to /v2.1/track with or without a credential, so a 400 is first the missing
    // token; the first versions that took a credential (1.1.1) post to /v2/track without one.
    pattern:
      /\b(?:Non-retryable|Transient) server side error (\d{3}): (?=.*(?:"errors"|itemsReceived|Retrying|opencensus|Authentication not supported|Service Unavailable|Internal Server Error))/,
    meaning: 'OpenCensus exporter: ingestion answered with this status.',
    entries: (m, line) => onV21(status(m, line), ['ENTRA_ONLY_RESOURCE_V2_PATH']),
  },
  {
    name: 'opencensus-authentication-error',
    runtime: 'python',
    // No status: azure-identity refused to authenticate. Ordinary "Authentication error for user x" lines lack these words.
    pattern: /Authentication error (?!\d{3}:)(?=.*(?:Credential|AADSTS|token|MSAL|azure|opencensus))/i,
    meaning:
      'OpenCensus exporter: the credential failed to authenticate with Entra ID (no request reached ingestion).',
    entries: (_m, line) => credentialFailure(line, ids(['ENTRA_TOKEN_ERROR'], ['ROLE_MISSING'])),
  },
  {
    name: 'python-tls',
    runtime: 'python',
    pattern: /CERTIFICATE_VERIFY_FAILED/,
    meaning: 'Python does not trust the certificate it was shown: through this proxy, that is the proxy CA.',
    entries: () => TLS_TRUST,
  },
  // ── Node ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'node-aad-token',
    runtime: 'node',
    pattern: /Failed to get AAD bearer token for the Application/,
    meaning:
      'Node SDK 2.x: the credential could not get a token; the batch was not sent and will be retried.',
    entries: (_m, line) =>
      credentialFailure(line, ids(['ENTRA_TOKEN_ERROR'], ['MANAGED_IDENTITY_NOT_FOUND'])),
  },
  {
    name: 'node-core-auth-missing',
    runtime: 'node',
    pattern: /Cannot load @azure\/core-auth package/,
    meaning: 'Node SDK 2.x: the package needed for Entra ID tokens is missing, so no token is sent.',
    entries: () => ids(['TOKEN_MISSING']),
  },
  {
    name: 'invalid-ikey',
    pattern: /Instrumentation key was invalid, please check the iKey/,
    meaning: 'Ingestion does not know the instrumentation key.',
    entries: () => ids(['INVALID_INSTRUMENTATION_KEY']),
  },
  {
    name: 'circular-redirects',
    // Node 2.x and the Python exporter (circular redirects); the JS exporter (cross-origin refusals).
    pattern:
      /Error sending telemetry because of circular redirects|Refusing cross-origin redirect to |Refused cross-origin redirect\b/,
    meaning: 'A redirect from ingestion was not followed, so the batch was not delivered.',
    entries: () => ids(['INGESTION_REDIRECT']),
  },
  {
    name: 'node-tls',
    runtime: 'node',
    pattern:
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify the first certificate|SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate in certificate chain|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to get local issuer certificate/,
    meaning: 'Node does not trust the certificate it was shown: through this proxy, that is the proxy CA.',
    entries: () => TLS_TRUST,
  },
  // ── Token acquisition (Azure Identity, MSAL), any runtime: after the SDKs' own wrappers ──
  {
    name: 'credential-unavailable',
    pattern: /CredentialUnavailable(?:Exception|Error)\b/,
    meaning: 'Azure Identity could not even try to get a token with the configured credential.',
    entries: (_m, line) => credentialFailure(line, ids(['TOKEN_MISSING'], ['MANAGED_IDENTITY_NOT_FOUND'])),
  },
  {
    name: 'msal-exception',
    pattern: /\bMsal(?:Service|Client|UiRequired)(?:Exception|Error)\b/,
    meaning: 'MSAL (under Azure Identity) got an error from Entra ID while requesting a token.',
    entries: (_m, line) => credentialFailure(line, ids(['ENTRA_TOKEN_ERROR'])),
  },
  {
    name: 'app-not-found',
    pattern: /Application with identifier .{1,80} was not found in the directory/,
    meaning: 'Entra ID does not know the client id in the tenant the request went to.',
    entries: () => ids(['ENTRA_APP_NOT_FOUND']),
  },
  // ── What Fiddler (or this proxy) shows as the status line ──────────────────────────────
  {
    name: 'status-400-authentication-not-supported',
    pattern: /\b400\b.*Authentication not supported|invalid status 'Authentication not supported'/i,
    meaning:
      'The resource accepts only Entra ID, and this telemetry came without a token: most likely to /v2/track, which cannot carry one.',
    // The article's reading first; a sender on /v2.1/track without a token gets this 400 too (the
    // Python troubleshooting text, .NET's "v2 and v2.1" comment), and only the path tells them apart.
    entries: () => ids(['ENTRA_ONLY_RESOURCE_V2_PATH'], ['TOKEN_MISSING']),
  },
  {
    name: 'status-401',
    pattern: /^\s*HTTP\/1\.[01] 401 Authorization required|please provide the valid authorization token/i,
    meaning: 'Ingestion answered 401: no valid Entra ID token came with the telemetry.',
    entries: () => ids(['TOKEN_MISSING'], ['TOKEN_REJECTED', 'TOKEN_EXPIRED', 'TOKEN_WRONG_AUDIENCE']),
  },
  {
    name: 'status-403',
    pattern:
      /^\s*HTTP\/1\.[01] 403 (?:Unauthorized|Forbidden)\b|provided credentials do not grant the access to ingest/i,
    meaning: "Ingestion answered 403: the token's identity may not ingest into this resource.",
    entries: () => ids(['ROLE_MISSING'], ['TOKEN_WRONG_AUDIENCE', 'TOKEN_EXPIRED']),
  },
  {
    name: 'aadsts',
    // Last: an Entra error code we have an entry for, in any other wording (a stack trace line, a JSON body).
    pattern: new RegExp(`\\bAADSTS(${Object.keys(KNOWN_AADSTS).join('|')})\\b`),
    meaning: 'Entra ID refused a token request with this error code.',
    entries: (m) => ids([findingForAadsts(m[1])]),
  },
];

/**
 * For a sender that posts to /v2.1/track with or without a credential (the Java agent, the .NET and
 * Python exporters, and later OpenCensus versions; ingestion-facts.md §1.1): the /v2/track refusal becomes the missing token, and stays among
 * the also-possible only when `keep` says an older version of that sender could have used /v2/track.
 */
function onV21(found: Ids, keep: string[] = []): Ids {
  const v2 = 'ENTRA_ONLY_RESOURCE_V2_PATH';
  const swap = (list: string[]) => list.map((id) => (id === v2 ? 'TOKEN_MISSING' : id));
  const primary = [...new Set(swap(found.ids))];
  const also = [...(found.ids.includes(v2) ? keep : []), ...swap(found.alsoPossible)];
  return ids(
    primary,
    [...new Set(also)].filter((id) => !primary.includes(id)),
  );
}

/**
 * The .NET exporter says whether it sent a token (`AAD Enabled: True|False`). Without one, a 401 or
 * 403 is the missing token: no identity, role, audience or expiry was there to be wrong.
 */
function dotnetExporterStatus(code: number, line: string): Ids {
  const aad = /AAD Enabled: (True|False)/i.exec(line)?.[1]?.toLowerCase();
  if (code === 401 && aad === 'true')
    return ids(['TOKEN_REJECTED'], ['TOKEN_EXPIRED', 'TOKEN_WRONG_AUDIENCE']);
  if ((code === 401 || code === 403) && aad === 'false') return ids(['TOKEN_MISSING']);
  return onV21(byStatus(code, line));
}

/** azure-core's `Operation returned an invalid status '<reason>'`: the reason phrase is all we have. */
function reasonPhrase(reason: string): Ids {
  if (/Authentication not supported/i.test(reason)) return ids(['ENTRA_ONLY_RESOURCE_V2_PATH']);
  if (/^Unauthorized|authorization token/i.test(reason)) return byStatus(401, reason);
  if (/^Forbidden|do not grant/i.test(reason)) return byStatus(403, reason);
  if (/Bad Request/i.test(reason)) return byStatus(400, reason);
  if (/Too Many Requests/i.test(reason)) return byStatus(429, reason);
  if (/Service Unavailable|Internal Server Error|Bad Gateway|Gateway Timeout|Request Timeout/i.test(reason)) {
    return byStatus(503, reason);
  }
  return ids([]);
}

/** Lines longer than this are looked at only in their first part (a whole stack trace on one line). */
const MAX_LINE = 8192;

/** What an SDK log line means, or undefined when no recogniser knows it. */
export function recognise(text: string): Recognition | undefined {
  const line = text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text;
  for (const r of RECOGNISERS) {
    const match = r.pattern.exec(line);
    if (!match) continue;
    const found = r.entries(match, line);
    if (found.ids.length === 0) return undefined;
    const recognition: Recognition = { recogniser: r.name, meaning: r.meaning, ...found };
    const runtime = r.runtime ?? runtimeHint(line);
    if (runtime) recognition.runtime = runtime;
    return recognition;
  }
  return undefined;
}

/** The runtime named by a package or namespace in the line (for lines every runtime can write). */
function runtimeHint(line: string): Runtime | undefined {
  if (/com\.azure\.|com\.microsoft\.aad\.msal4j|\bjava\./.test(line)) return 'java';
  if (/Azure\.Identity|Microsoft\.Identity\.Client|System\.Net\./.test(line)) return 'dotnet';
  if (/azure\.identity|Traceback|opencensus|\.py\b/.test(line)) return 'python';
  if (/@azure\/|ApplicationInsights:|node:internal/.test(line)) return 'node';
  return undefined;
}

/** Recogniser names, for tests that check each one is exercised. */
export const RECOGNISER_NAMES: readonly string[] = RECOGNISERS.map((r) => r.name);
