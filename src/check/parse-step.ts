import { cloudOfHost } from '../ingestion/clouds';
import { type ConnectionString, parseConnectionString } from '../ingestion/connection-string';
import { cloudOfAudience } from '../diagnosis/traffic';
import { checkFinding } from './findings';
import type { StepResult } from './types';

export interface ParsedTarget {
  cs: ConnectionString;
  ingestionHost: string;
  ingestionPort: number;
  /** https://host[:port]/ with the trailing slash. */
  ingestionEndpoint: string;
  audience: string;
  audienceSource: 'AADAudience' | 'cloud default';
  /** The audience names another cloud than the ingestion host. */
  audienceMismatch: boolean;
}

/** Step 1: the connection string, its cloud, ingestion host and token audience. */
export function parseStep(text: string): { result: StepResult; target?: ParsedTarget } {
  let cs: ConnectionString;
  try {
    cs = parseConnectionString(text);
  } catch (err) {
    return {
      result: { step: 'parse', status: 'failed', summary: (err as Error).message, findings: [] },
    };
  }
  const url = new URL(cs.ingestionEndpoint);
  // The TCP and TLS steps would test port 443 while the record went to port 80 in clear, and
  // report an OpenSSL "wrong version number" instead of the cause.
  if (url.protocol !== 'https:') {
    return {
      result: {
        step: 'parse',
        status: 'failed',
        summary: `IngestionEndpoint ${cs.ingestionEndpoint} is plain http://: ingestion takes HTTPS only, and a token sent there would cross the network in clear; use https://`,
        findings: [],
      },
    };
  }
  const hostCloud = cloudOfHost(url.hostname)?.name;
  const audienceCloud = cloudOfAudience(cs.audience);
  const mismatch = hostCloud !== undefined && audienceCloud !== undefined && hostCloud !== audienceCloud;
  const target: ParsedTarget = {
    cs,
    ingestionHost: url.hostname,
    ingestionPort: Number(url.port || 443),
    ingestionEndpoint: cs.ingestionEndpoint,
    audience: cs.audience,
    audienceSource: cs.values.AADAudience ? 'AADAudience' : 'cloud default',
    audienceMismatch: mismatch,
  };
  const details = {
    iKey: cs.maskedIkey,
    cloud: cs.cloud,
    ingestionEndpoint: cs.ingestionEndpoint,
    liveEndpoint: cs.liveEndpoint,
    audience: cs.audience,
    audienceSource: target.audienceSource,
    scope: `${cs.audience}/.default`,
  };
  if (mismatch) {
    return {
      target,
      result: {
        step: 'parse',
        status: 'failed',
        summary: `the audience ${cs.audience} is for the ${audienceCloud} cloud, but the ingestion host ${url.hostname} is in the ${hostCloud} cloud`,
        details,
        findings: [
          checkFinding(
            'TOKEN_WRONG_AUDIENCE',
            `AADAudience ${cs.audience} (${audienceCloud}) does not match the ${hostCloud} cloud of ${url.hostname}: its tokens will be refused`,
            {
              audience: cs.audience,
              audienceCloud: audienceCloud ?? null,
              host: url.hostname,
              hostCloud: hostCloud ?? null,
            },
          ),
        ],
      },
    };
  }
  return {
    target,
    result: {
      step: 'parse',
      status: 'ok',
      summary: `iKey ${cs.maskedIkey}, ${cs.cloud} cloud, ingestion ${url.host}, audience ${cs.audience} (${target.audienceSource})`,
      details,
      findings: [],
    },
  };
}
