import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { makeJwt } from '../helpers/proxy-harness';

/**
 * A generated corpus of secrets: every secret shape the proxy may meet, each placed in every part
 * of an exchange where it can sit. Each secret value is random and unique, so a hit in an output
 * names the shape and the place that leaked.
 */

export interface SecretShape {
  id: string;
  /** The parameter, JSON key or header name that carries it. */
  name: string;
  /** The value as it is sent. */
  value: string;
  /** Text that must never appear in any output (the secret, decoded and encoded). */
  needles: string[];
  /** The secret quoted in a sentence, as a service's error message or a log text would. */
  prose: string;
}

function guid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function opaque(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

function ikeyNeedles(key: string): string[] {
  const bare = key.replace(/-/g, '');
  // The middle of a key is what masking removes: finding it means the key leaked.
  return [key, key.toUpperCase(), bare, bare.toUpperCase(), key.slice(9, 23)];
}

function plain(id: string, name: string, value: string, prose: (v: string) => string): SecretShape {
  return {
    id,
    name,
    value,
    needles: [value, encodeURIComponent(value)],
    prose: prose(value),
  };
}

function urlPassword(id: string, name: string, user: string): SecretShape {
  const password = opaque('pw');
  const value = `http://${user}:${password}@proxy.corp.example:3128`;
  return {
    id,
    name,
    value,
    needles: [password, encodeURIComponent(password)],
    prose: `could not reach the collector through ${value}: refused`,
  };
}

export function secretShapes(): SecretShape[] {
  const liveKey = guid();
  const upperKey = guid();
  const bearer = opaque('tok');
  const jwt = makeJwt(
    { aud: 'https://monitor.azure.com', oid: guid(), exp: 4102444800 },
    { alg: 'RS256', typ: 'JWT', kid: opaque('k') },
  );
  const sigRaw = randomBytes(32).toString('base64'); // a SAS signature: base64 with + / =
  const sig = encodeURIComponent(sigRaw);
  const assertion = makeJwt({ iss: guid(), sub: guid(), jti: opaque('j') });
  return [
    {
      id: 'ikey-live-metrics',
      name: 'InstrumentationKey',
      value: liveKey,
      needles: ikeyNeedles(liveKey),
      prose: `Invalid instrumentation key: ${liveKey}`,
    },
    {
      id: 'ikey-upper-name',
      name: 'INSTRUMENTATIONKEY',
      value: upperKey,
      needles: ikeyNeedles(upperKey),
      prose: `The iKey ${upperKey.toUpperCase()} is not valid for this resource`,
    },
    {
      id: 'bearer-lower-case',
      name: 'authorization',
      value: `bearer ${bearer}`,
      needles: [bearer],
      prose: `request rejected: header was bearer ${bearer}`,
    },
    {
      id: 'bare-jwt',
      name: 'id_token',
      value: jwt,
      needles: [jwt, jwt.split('.')[2]!, jwt.split('.')[1]!],
      prose: `token ${jwt} is expired`,
    },
    {
      id: 'sas-sig',
      name: 'sig',
      value: sig,
      needles: [sig, sigRaw, encodeURIComponent(sig)],
      prose: `upload to https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sp=w&sig=${sig}&se=2030-01-01 failed`,
    },
    plain(
      'device-code',
      'device_code',
      opaque('DAQABAAEAAAD'),
      (v) => `device_code=${v} was already redeemed`,
    ),
    plain('token-param', 'token', opaque('t0k'), (v) => `GET /callback?token=${v} failed`),
    plain('api-key', 'api-key', opaque('ak'), (v) => `api-key: ${v}`),
    plain('functions-key', 'x-functions-key', opaque('fk'), (v) => `x-functions-key: ${v}`),
    plain('apim-key', 'Ocp-Apim-Subscription-Key', opaque('sk'), (v) => `Ocp-Apim-Subscription-Key: ${v}`),
    plain('secret-header', 'secret', opaque('se'), (v) => `secret: ${v}`),
    plain(
      'client-secret-encoded-name',
      'client%5Fsecret',
      opaque('Q~'),
      (v) => `client%5Fsecret=${v}&grant_type=x`,
    ),
    plain('password', 'Password', opaque('pw'), (v) => `login with password=${v} failed`),
    plain('refresh-token', 'refresh_token', opaque('0.AR'), (v) => `{"refresh_token": "${v}"}`),
    {
      id: 'client-assertion',
      name: 'client_assertion',
      value: assertion,
      needles: [assertion, assertion.split('.')[2]!],
      prose: `client_assertion=${assertion}`,
    },
    // A proxy password in a URL, under a name that says nothing; with a user and without one
    // (`http://:password@host` is a valid URL: an empty user name).
    urlPassword('url-password', 'next_hop', 'corp-user'),
    urlPassword('url-password-no-user', 'next_hop_2', ''),
    // A sign-in redirect carries its token in the URL's fragment, not its query.
    plain(
      'fragment-token',
      'access_token',
      opaque('fr'),
      (v) => `redirected to https://app.example/cb#access_token=${v}&token_type=Bearer`,
    ),
    // SQL and Storage clients accept spaces around `=` in a connection string.
    plain(
      'spaced-connection-password',
      'Pwd',
      opaque('sq'),
      (v) => `Server=tcp:db.example;User ID=sa;Password = ${v};`,
    ),
    plain(
      'storage-account-key',
      'AccountKey',
      randomBytes(24).toString('base64'),
      (v) => `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${v};EndpointSuffix=core.windows.net`,
    ),
  ];
}

export interface CorpusRequest {
  shape: SecretShape;
  place: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What the upstream answers (the error-message and response-header places put the secret there). */
  reply: { headers: Record<string, string>; body: string; reason?: string };
}

/** Every character of a name as %XX (what a client that encodes everything sends). */
function percentEncodeAll(name: string): string {
  return [...Buffer.from(name)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Every character of a name as \u00XX (legal JSON, invisible to a plain pattern). */
function jsonEscapeAll(name: string): string {
  return [...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** A value as it sits in a query or form (a SAS sig is already encoded). */
function formValue(shape: SecretShape): string {
  return shape.id === 'sas-sig' ? shape.value : encodeURIComponent(shape.value);
}

const REJECTED = (message: string) =>
  JSON.stringify({ itemsReceived: 1, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message }] });

/** One request per shape × place. Every answer is a 400, so every exchange keeps its bodies. */
export function corpusRequests(shapes: SecretShape[]): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  const json = { 'content-type': 'application/json' };
  const plainReply = { headers: json, body: REJECTED('Invalid telemetry') };
  for (const shape of shapes) {
    const envelope = (extra: Record<string, string>) =>
      JSON.stringify({
        ver: 1,
        name: 'Microsoft.ApplicationInsights.Event',
        data: { baseData: { properties: extra } },
      });
    const add = (
      place: string,
      r: Omit<CorpusRequest, 'shape' | 'place' | 'reply'> & Partial<Pick<CorpusRequest, 'reply'>>,
    ) => out.push({ shape, place, reply: plainReply, ...r });
    const form = `a=1&${shape.name}=${formValue(shape)}&b=2`;
    add('request-header', { path: '/v2.1/track', headers: { [shape.name]: shape.value } });
    add('query', { path: `/v2.1/track?api-version=1&${shape.name}=${formValue(shape)}`, headers: {} });
    add('query-encoded-name', {
      path: `/v2.1/track?${percentEncodeAll(shape.name)}=${formValue(shape)}`,
      headers: {},
    });
    add('body-json', {
      path: '/v2.1/track',
      headers: json,
      body: Buffer.from(envelope({ [shape.name]: shape.value })),
    });
    add('body-json-escaped-name', {
      path: '/v2.1/track',
      headers: json,
      body: Buffer.from(`{"ver":1,"${jsonEscapeAll(shape.name)}":"${shape.value}"}`),
    });
    add('body-form', {
      path: '/oauth2/v2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form),
    });
    add('body-ndjson', {
      path: '/v2/track',
      headers: { 'content-type': 'application/x-json-stream' },
      body: Buffer.from(`${envelope({ a: 'b' })}\n${envelope({ [shape.name]: shape.value })}\n`),
    });
    add('body-gzip', {
      path: '/v2.1/track',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(envelope({ [shape.name]: shape.value })),
    });
    add('body-one-control-byte', {
      path: '/v2.1/track',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.concat([Buffer.from([0x01]), Buffer.from(form)]),
    });
    add('body-prose', {
      path: '/v2.1/track',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from(shape.prose),
    });
    add('error-message', {
      path: '/v2.1/track',
      headers: {},
      reply: { headers: json, body: REJECTED(shape.prose) },
    });
    add('reason-phrase', {
      path: '/v2.1/track',
      headers: {},
      reply: { headers: json, body: REJECTED('Invalid telemetry'), reason: shape.prose },
    });
    add('response-header', {
      path: '/v2.1/track',
      headers: {},
      reply: { headers: { ...json, [shape.name]: shape.value }, body: REJECTED('Invalid telemetry') },
    });
  }
  return out;
}

/**
 * Everything an output holds, readable: its text, its `\uXXXX` escapes undone, and every base64
 * field decoded (a body stored as base64 must not carry a secret either).
 */
export function haystackOf(text: string): string {
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
  const decoded: string[] = [];
  for (const m of text.matchAll(/"(?:base64|text)":"([A-Za-z0-9+/]{8,}={0,2})"/g)) {
    decoded.push(Buffer.from(m[1]!, 'base64').toString('latin1'));
  }
  return [text, unescaped, ...decoded].join('\n');
}

/** `shape@needle` for every needle of every shape found in the text. */
export function leaksIn(text: string, shapes: SecretShape[]): string[] {
  const hay = haystackOf(text);
  const lower = hay.toLowerCase();
  const hits: string[] = [];
  for (const shape of shapes) {
    for (const needle of shape.needles) {
      if (needle.length < 8) continue;
      const at = lower.indexOf(needle.toLowerCase());
      // The context names the place that leaked.
      if (at !== -1) hits.push(`${shape.id}: …${hay.slice(Math.max(0, at - 60), at + needle.length + 10)}…`);
    }
  }
  return hits;
}
