import { CLOUDS, type Cloud, cloudOfHost } from './clouds';
import { maskIkey } from './redact';

/** A parsed connection string, with endpoints derived the way the SDKs derive them. */
export interface ConnectionString {
  /** Keys as given, with canonical casing. */
  values: Record<string, string>;
  instrumentationKey: string;
  /** Masked, for logs. */
  maskedIkey: string;
  ingestionEndpoint: string;
  liveEndpoint: string;
  profilerEndpoint: string;
  /** AADAudience when given, else the audience of the ingestion host's cloud. */
  audience: string;
  cloud: Cloud['name'] | 'custom';
}

export class ConnectionStringError extends Error {
  constructor(
    message: string,
    readonly key?: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ConnectionStringError';
  }
}

const KNOWN_KEYS = [
  'InstrumentationKey',
  'IngestionEndpoint',
  'LiveEndpoint',
  'ProfilerEndpoint',
  'SnapshotEndpoint',
  'EndpointSuffix',
  'Location',
  'AADAudience',
  'Authorization',
  'ApplicationId',
];
const CANONICAL = new Map(KNOWN_KEYS.map((k) => [k.toLowerCase(), k]));
const MAX_LENGTH = 4096;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_INSIDE = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi;

/**
 * A value quoted in an error message: an instrumentation key anywhere in it is masked (a key in
 * quotes or braces, or pasted into the wrong field, is still the key).
 */
function shown(value: string): string {
  return value.replace(GUID_INSIDE, (key) => maskIkey(key));
}

/** A bare segment, for an error message: masked first, so the cut cannot leave most of a key. */
function shownSegment(segment: string): string {
  return shown(segment.trim()).slice(0, 40);
}

interface Pairs {
  values: Record<string, string>;
  /** Position (0-based character offset) of each key in the text, for error messages. */
  positions: Record<string, number>;
}

function splitPairs(text: string): Pairs {
  const values: Record<string, string> = {};
  const positions: Record<string, number> = {};
  let position = 0;
  for (const segment of text.split(';')) {
    const start = position + (segment.length - segment.trimStart().length);
    position += segment.length + 1;
    if (segment.trim() === '') continue;
    const eq = segment.indexOf('=');
    if (eq <= 0) {
      throw new ConnectionStringError(
        `connection string: "${shownSegment(segment)}" at position ${start} is not key=value`,
        undefined,
        start,
      );
    }
    const rawKey = segment.slice(0, eq).trim();
    const value = segment.slice(eq + 1).trim();
    const key = CANONICAL.get(rawKey.toLowerCase()) ?? rawKey;
    if (value === '') {
      throw new ConnectionStringError(
        `connection string: ${key} at position ${start} has no value`,
        key,
        start,
      );
    }
    // The SDKs differ on which one wins (the first, the last, or an error): say so, keep neither.
    if (positions[key] !== undefined) {
      throw new ConnectionStringError(
        `connection string: ${key} is given twice (at positions ${positions[key]} and ${start}): keep one`,
        key,
        start,
      );
    }
    values[key] = value;
    positions[key] = start;
  }
  return { values, positions };
}

function normalizeEndpoint(value: string, key: string, position?: number): string {
  const at = position === undefined ? '' : ` at position ${position}`;
  // URL parsing drops tabs and line breaks: "https://a/\nLiveEndpoint=https://b/" (a missing ";")
  // would become the path "/LiveEndpoint=https://b/" without a word.
  if (/\s/.test(value)) {
    throw new ConnectionStringError(
      `connection string: ${key}${at} contains a space or line break (a missing ";"?)`,
      key,
      position,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConnectionStringError(
      `connection string: ${key}${at} "${shown(value)}" is not a URL`,
      key,
      position,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConnectionStringError(
      `connection string: ${key}${at} must be http(s), got ${url.protocol}`,
      key,
      position,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
}

/** A domain, perhaps with a leading dot (trimmed) and a port: what fromSuffix can append to. */
const DOMAIN_SUFFIX = /^\.*[a-z0-9-]+(\.[a-z0-9-]+)*\.?(:\d{1,5})?$/i;

/** `https://` + (location.)? + prefix + '.' + suffix: the .NET/Python/JS rule (Java ignores Location). */
function fromSuffix(prefix: string, suffix: string, location?: string): string {
  const s = suffix.replace(/^\.+/, '');
  return `https://${location ? `${location}.` : ''}${prefix}.${s}/`;
}

export function parseConnectionString(text: string): ConnectionString {
  if (text.length > MAX_LENGTH) {
    throw new ConnectionStringError(
      `connection string is ${text.length} characters; the limit is ${MAX_LENGTH}`,
    );
  }
  // A Docker --env-file or compose env_file keeps quotes as part of the value; the key would
  // then read '"InstrumentationKey' and the error would wrongly say the key is missing.
  if (/^\s*["'`]/.test(text)) {
    throw new ConnectionStringError(
      'connection string starts with a quote: remove the quotes around it (an env file passes them on as part of the value)',
      undefined,
      text.length - text.trimStart().length,
    );
  }
  const { values, positions } = splitPairs(text);
  const ikey = values.InstrumentationKey;
  if (!ikey)
    throw new ConnectionStringError('connection string: InstrumentationKey is missing', 'InstrumentationKey');
  if (!GUID.test(ikey)) {
    throw new ConnectionStringError(
      `connection string: InstrumentationKey at position ${positions.InstrumentationKey} ("${maskIkey(ikey)}") is not a GUID`,
      'InstrumentationKey',
      positions.InstrumentationKey,
    );
  }
  const location = values.Location;
  if (location !== undefined && !/^[a-z0-9]+$/i.test(location)) {
    throw new ConnectionStringError(
      `connection string: Location at position ${positions.Location} ("${shown(location)}") must be alphanumeric`,
      'Location',
      positions.Location,
    );
  }
  const suffix = values.EndpointSuffix;
  // The SDKs paste it after "https://dc.": a scheme, a path or a space would make a bogus host.
  if (suffix !== undefined && !DOMAIN_SUFFIX.test(suffix)) {
    throw new ConnectionStringError(
      `connection string: EndpointSuffix at position ${positions.EndpointSuffix} ("${shown(suffix).slice(0, 80)}") must be a domain such as applicationinsights.azure.com, without a scheme or a path`,
      'EndpointSuffix',
      positions.EndpointSuffix,
    );
  }
  const aadAudience = values.AADAudience;
  // The token is asked for `<audience>/.default`: anything but an audience URI asks for nonsense.
  if (aadAudience !== undefined && !isAudience(aadAudience)) {
    throw new ConnectionStringError(
      `connection string: AADAudience at position ${positions.AADAudience} ("${shown(aadAudience).slice(0, 80)}") must be an audience such as https://monitor.azure.com/${/\/\.default\/?$/i.test(aadAudience) ? ', without /.default (the SDK adds it to ask for a token)' : ''}`,
      'AADAudience',
      positions.AADAudience,
    );
  }
  const endpoint = (key: string, prefix: string, fallback: string) =>
    values[key]
      ? normalizeEndpoint(values[key], key, positions[key])
      : suffix
        ? fromSuffix(prefix, suffix, location)
        : fallback;

  const ingestionEndpoint = endpoint('IngestionEndpoint', 'dc', 'https://dc.services.visualstudio.com/');
  const liveEndpoint = endpoint('LiveEndpoint', 'live', 'https://rt.services.visualstudio.com/');
  const profilerEndpoint = endpoint(
    'ProfilerEndpoint',
    'profiler',
    'https://agent.azureserviceprofiler.net/',
  );
  const cloud = cloudOfHost(new URL(ingestionEndpoint).hostname);
  const audience = (values.AADAudience ?? cloud?.audience ?? CLOUDS[0]!.audience).replace(/\/+$/, '');
  return {
    values,
    instrumentationKey: ikey.toLowerCase(),
    maskedIkey: maskIkey(ikey),
    ingestionEndpoint,
    liveEndpoint,
    profilerEndpoint,
    audience,
    cloud: cloud?.name ?? 'custom',
  };
}

/**
 * Host names a connection string sends traffic to (ingestion, live metrics, profiler), spelled as
 * the proxy sees them in CONNECT: no trailing dot (`https://host./` is the same host, and a CA
 * constrained to "host." would not cover the leaf for "host") and no IPv6 brackets.
 */
export function connectionStringHosts(cs: ConnectionString): string[] {
  return [cs.ingestionEndpoint, cs.liveEndpoint, cs.profilerEndpoint].map((u) =>
    new URL(u).hostname
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.+$/, ''),
  );
}

/** An Entra audience: an https:// or api:// URI with a host and nothing after a `/.default`. */
function isAudience(value: string): boolean {
  if (/\s/.test(value) || /\/\.default\/?$/i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'api:') && url.hostname !== '';
  } catch {
    return false;
  }
}
