import type { Runtime } from '../model/finding';
import type { BodyShape } from './body';

export type SdkId =
  'java-agent' | 'js-exporter' | 'node-2x' | 'python-exporter' | 'dotnet' | 'opencensus-python' | 'unknown';

export interface SdkClues {
  userAgent?: string;
  /** `ai.internal.sdkVersion` tags of the envelopes. */
  sdkVersions?: string[];
  /** MSAL's `x-client-SKU` (header, or form field for MSAL Node). */
  msalSku?: string;
  bodyShape?: BodyShape;
  contentType?: string;
  contentEncoding?: string;
}

/**
 * `ai.internal.sdkVersion` → SDK. Examples: `java:3.5.0`, `node20:otel2.12.1:ext1.0.0-beta.47`,
 * `ulm_node20:otel2.10.0:dst1.21.0` (Node 3.x distro), `ulm_node:2.9.8` / `node:2.9.8` (Node 2.x),
 * `py3.11:otel1.25.0:ext1.0.0b30`, `py3.7.4:oc0.7.0:ext1.0.0` (OpenCensus), `dotnet8.0:otel1.9.0:ext1.3.0`,
 * `dotnetc:2.21.0-429`, `aspnet5c:2.21.0`. A short attach prefix (`ulm_`, `awr_`, ...) is ignored.
 */
export function sdkFromVersionTag(tag: string): SdkId {
  const t = tag.toLowerCase().replace(/^[a-z]{1,5}_/, '');
  // The browser SDK's `javascript:2.8.x` is no Java agent: its fix is not applicationinsights.json.
  if (t.startsWith('javascript')) return 'unknown';
  if (t.startsWith('java')) return 'java-agent';
  if (t.startsWith('node')) {
    if (t.includes(':otel') || t.includes(':ext') || t.includes(':dst')) return 'js-exporter';
    return /^node[\d.]*:2\./.test(t) || /^node[\d.]*:[01]\./.test(t) ? 'node-2x' : 'js-exporter';
  }
  if (t.startsWith('py')) return t.includes(':oc') ? 'opencensus-python' : 'python-exporter';
  if (t.startsWith('dotnet') || t.startsWith('aspnet') || t.startsWith('net')) return 'dotnet';
  return 'unknown';
}

/** User-Agent → SDK (Azure SDK clients name their language; JVM clients name Java). */
export function sdkFromUserAgent(userAgent: string): SdkId {
  const ua = userAgent.toLowerCase();
  if (ua.includes('azsdk-js-') || /\bnode\/\d/.test(ua)) return 'js-exporter';
  if (ua.includes('azsdk-python-') || /\bpython\/\d/.test(ua)) return 'python-exporter';
  if (ua.includes('azsdk-net-') || ua.includes('.net') || ua.includes('dotnet')) return 'dotnet';
  if (ua.includes('azsdk-java-') || ua.startsWith('java') || ua.includes('reactornetty')) return 'java-agent';
  if (ua.includes('opencensus')) return 'opencensus-python';
  return 'unknown';
}

/** MSAL's SKU (`MSAL.Java`, `MSAL.NetCore`, `MSAL.Python`, `msal.js.node`) → SDK family. */
export function sdkFromMsalSku(sku: string): SdkId {
  const s = sku.toLowerCase();
  if (s.includes('java')) return 'java-agent';
  if (s.includes('.net') || s.includes('netcore') || s.includes('desktop')) return 'dotnet';
  if (s.includes('python')) return 'python-exporter';
  if (s.includes('js')) return 'js-exporter';
  return 'unknown';
}

/**
 * Which SDK or agent sent a request: envelope tags first (most specific), then the user agent,
 * then MSAL's SKU, then the body shape (the Java agent blanks its User-Agent and sends gzip NDJSON
 * without a Content-Type; Node 2.x sends gzip NDJSON as application/x-json-stream with no User-Agent).
 */
export function detectSdk(clues: SdkClues): SdkId {
  for (const tag of clues.sdkVersions ?? []) {
    const sdk = sdkFromVersionTag(tag);
    if (sdk !== 'unknown') return sdk;
  }
  if (clues.userAgent) {
    const sdk = sdkFromUserAgent(clues.userAgent);
    if (sdk !== 'unknown') return sdk;
  }
  if (clues.msalSku) {
    const sdk = sdkFromMsalSku(clues.msalSku);
    if (sdk !== 'unknown') return sdk;
  }
  if (clues.bodyShape === 'ndjson' && !clues.userAgent && clues.contentEncoding?.toLowerCase() === 'gzip') {
    if (!clues.contentType) return 'java-agent';
  }
  return 'unknown';
}

const RUNTIME_OF_SDK: Record<SdkId, Runtime | undefined> = {
  'java-agent': 'java',
  'js-exporter': 'node',
  'node-2x': 'node',
  'python-exporter': 'python',
  'opencensus-python': 'python',
  dotnet: 'dotnet',
  unknown: undefined,
};

export function runtimeOfSdk(sdk: string | undefined): Runtime | undefined {
  return sdk && sdk in RUNTIME_OF_SDK ? RUNTIME_OF_SDK[sdk as SdkId] : undefined;
}
