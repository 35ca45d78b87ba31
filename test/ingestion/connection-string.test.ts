import {
  ConnectionStringError,
  connectionStringHosts,
  parseConnectionString,
} from '../../src/ingestion/connection-string';
import { permittedDomainsFor } from '../../src/certs/ca-constraints';

const IKEY = '11111111-2222-3333-4444-555555555555';

function errorOf(text: string): ConnectionStringError {
  try {
    parseConnectionString(text);
  } catch (e) {
    if (e instanceof ConnectionStringError) return e;
    throw e;
  }
  throw new Error('expected a ConnectionStringError');
}

describe('parseConnectionString', () => {
  it('parses a portal connection string', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=aaaaaaaa-0000-0000-0000-000000000000`,
    );
    expect(cs).toMatchObject({
      instrumentationKey: IKEY,
      maskedIkey: '11111111-****-****-****-********5555',
      ingestionEndpoint: 'https://westeurope-5.in.applicationinsights.azure.com/',
      liveEndpoint: 'https://westeurope.livediagnostics.monitor.azure.com/',
      audience: 'https://monitor.azure.com',
      cloud: 'public',
    });
    expect(cs.values.ApplicationId).toBe('aaaaaaaa-0000-0000-0000-000000000000');
  });

  it.each([
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
  ])('reads %s in any case', (key) => {
    const value: Record<string, string> = {
      InstrumentationKey: IKEY,
      IngestionEndpoint: 'https://x.in.applicationinsights.azure.com/',
      LiveEndpoint: 'https://x.livediagnostics.monitor.azure.com/',
      ProfilerEndpoint: 'https://profiler.monitor.azure.com/',
      SnapshotEndpoint: 'https://snapshot.monitor.azure.com/',
      EndpointSuffix: 'applicationinsights.azure.com',
      Location: 'westus2',
      AADAudience: 'https://monitor.azure.com/',
      Authorization: 'ikey',
      ApplicationId: 'app',
    };
    for (const spelled of [key.toLowerCase(), key.toUpperCase(), key]) {
      const base = key === 'InstrumentationKey' ? '' : `InstrumentationKey=${IKEY};`;
      const cs = parseConnectionString(`${base}${spelled}=${value[key]}`);
      expect(cs.values[key]).toBe(value[key]);
    }
  });

  it('defaults to the global endpoints of the public cloud', () => {
    const cs = parseConnectionString(`InstrumentationKey=${IKEY}`);
    expect(cs.ingestionEndpoint).toBe('https://dc.services.visualstudio.com/');
    expect(cs.liveEndpoint).toBe('https://rt.services.visualstudio.com/');
    expect(cs.profilerEndpoint).toBe('https://agent.azureserviceprofiler.net/');
    expect(cs.audience).toBe('https://monitor.azure.com');
    expect(cs.cloud).toBe('public');
  });

  it('derives endpoints from EndpointSuffix, with Location (the .NET/Python/JS rule)', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.azure.cn;Location=chinanorth3`,
    );
    expect(cs.ingestionEndpoint).toBe('https://chinanorth3.dc.applicationinsights.azure.cn/');
    expect(cs.liveEndpoint).toBe('https://chinanorth3.live.applicationinsights.azure.cn/');
    expect(cs.profilerEndpoint).toBe('https://chinanorth3.profiler.applicationinsights.azure.cn/');
    expect(cs.cloud).toBe('china');
    expect(cs.audience).toBe('https://monitor.azure.cn');
  });

  it('trims a leading dot of EndpointSuffix', () => {
    expect(
      parseConnectionString(`InstrumentationKey=${IKEY};EndpointSuffix=.applicationinsights.us`)
        .ingestionEndpoint,
    ).toBe('https://dc.applicationinsights.us/');
  });

  it('prefers an explicit endpoint over EndpointSuffix', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.us;IngestionEndpoint=https://usgovvirginia-1.in.applicationinsights.azure.us/`,
    );
    expect(cs.ingestionEndpoint).toBe('https://usgovvirginia-1.in.applicationinsights.azure.us/');
    expect(cs.liveEndpoint).toBe('https://live.applicationinsights.us/');
  });

  it('US Government: cloud and AADAudience', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.us;IngestionEndpoint=https://usgovvirginia-1.in.applicationinsights.azure.us/;AADAudience=https://monitor.azure.us/`,
    );
    expect(cs.cloud).toBe('usgov');
    expect(cs.audience).toBe('https://monitor.azure.us');
  });

  it('US Government audience from the cloud when AADAudience is absent', () => {
    expect(
      parseConnectionString(`InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.us`).audience,
    ).toBe('https://monitor.azure.us');
  });

  it('a custom AADAudience wins over the cloud', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://ingest.test/;AADAudience=https://aud.test//`,
    );
    expect(cs.audience).toBe('https://aud.test');
    expect(cs.cloud).toBe('custom');
  });

  it('adds a trailing slash to endpoints and keeps a path prefix', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://ingest.test/prefix`,
    );
    expect(cs.ingestionEndpoint).toBe('https://ingest.test/prefix/');
  });

  it('ignores blank segments and spaces around keys and values', () => {
    const cs = parseConnectionString(
      ` InstrumentationKey = ${IKEY} ;; IngestionEndpoint=https://ingest.test/ ;`,
    );
    expect(cs.instrumentationKey).toBe(IKEY);
    expect(cs.ingestionEndpoint).toBe('https://ingest.test/');
  });

  it('lists the hosts it sends to', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://A.in.applicationinsights.azure.com/`,
    );
    expect(connectionStringHosts(cs)).toEqual([
      'a.in.applicationinsights.azure.com',
      'rt.services.visualstudio.com',
      'agent.azureserviceprofiler.net',
    ]);
  });
});

describe('connectionStringHosts', () => {
  // "host." stayed with its dot: a new CA was constrained to "host." and did not cover the leaf
  // made for "host" (the CONNECT host loses its dot), and the scope never matched "[::1]".
  it('spells hosts as CONNECT does: no trailing dot, no IPv6 brackets', () => {
    const cs = parseConnectionString(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://Ingest.Contoso.com./;LiveEndpoint=https://[::1]:19202/`,
    );
    expect(connectionStringHosts(cs)).toEqual([
      'ingest.contoso.com',
      '::1',
      'agent.azureserviceprofiler.net',
    ]);
    expect(permittedDomainsFor(connectionStringHosts(cs))).toContain('ingest.contoso.com');
  });
});

describe('parseConnectionString errors', () => {
  it('names the segment and position of something that is not key=value', () => {
    const e = errorOf(`InstrumentationKey=${IKEY};garbage`);
    expect(e.position).toBe(56);
    expect(e.message).toContain('"garbage" at position 56');
  });

  it('masks a bare instrumentation key given instead of a connection string', () => {
    const e = errorOf(IKEY);
    expect(e.message).not.toContain(IKEY);
    expect(e.message).toContain('11111111-****-****-****-********5555');
    expect(e.position).toBe(0);
  });

  // Pasted from a .NET GUID, a quoted env file or the wrong field: still the key, never shown whole.
  it.each([
    `"${IKEY}"`,
    `{${IKEY}}`,
    `iKey ${IKEY}`,
    `ikey=${IKEY};${IKEY.replace(/-/g, '')}`,
    `InstrumentationKey=${IKEY};Location=${IKEY}`,
    `InstrumentationKey=${IKEY};IngestionEndpoint=${IKEY}`,
    `InstrumentationKey=${IKEY};LiveEndpoint={${IKEY}}`,
  ])('never quotes an instrumentation key it refuses: %j', (text) => {
    const e = errorOf(text);
    for (const part of ['2222', '3333', '4444', '555555555555', '22223333']) {
      expect(e.message).not.toContain(part);
    }
  });

  it('names a key without a value and its position', () => {
    const e = errorOf(`InstrumentationKey=${IKEY};IngestionEndpoint=`);
    expect(e).toMatchObject({ key: 'IngestionEndpoint', position: 56 });
    expect(e.message).toContain('IngestionEndpoint at position 56 has no value');
  });

  // It said "InstrumentationKey is missing" of a string that has it, just quoted.
  it.each([
    `"InstrumentationKey=${IKEY};IngestionEndpoint=https://x.in.applicationinsights.azure.com/"`,
    `'InstrumentationKey=${IKEY}'`,
    ` "InstrumentationKey=${IKEY}`,
  ])('says a quoted connection string is quoted: %j', (text) => {
    const e = errorOf(text);
    expect(e.message).toContain('starts with a quote: remove the quotes');
    expect(e.message).not.toContain('missing');
  });

  // The last one used to win silently: the proxy then checked traffic against a key the app may not use.
  it('refuses a key given twice, in any case, without quoting either value', () => {
    const other = '99999999-2222-3333-4444-555555555555';
    const e = errorOf(`InstrumentationKey=${IKEY};instrumentationkey=${other}`);
    expect(e).toMatchObject({ key: 'InstrumentationKey', position: 56 });
    expect(e.message).toContain('InstrumentationKey is given twice (at positions 0 and 56)');
    expect(e.message).not.toMatch(/2222|555555555555/);
    expect(
      errorOf(
        `InstrumentationKey=${IKEY};IngestionEndpoint=https://a.test/;IngestionEndpoint=https://b.test/`,
      ).message,
    ).toContain('IngestionEndpoint is given twice');
  });

  it('requires InstrumentationKey', () => {
    expect(errorOf('IngestionEndpoint=https://x/')).toMatchObject({ key: 'InstrumentationKey' });
  });

  it('requires a GUID InstrumentationKey, without echoing it in full', () => {
    const e = errorOf('IngestionEndpoint=https://x/;InstrumentationKey=not-a-guid-but-a-secret');
    expect(e).toMatchObject({ key: 'InstrumentationKey', position: 29 });
    expect(e.message).not.toContain('not-a-guid-but-a-secret');
  });

  it('rejects an endpoint that is not a URL, naming key and position', () => {
    const e = errorOf(`InstrumentationKey=${IKEY};LiveEndpoint=westus.livediagnostics`);
    expect(e).toMatchObject({ key: 'LiveEndpoint', position: 56 });
    expect(e.message).toContain('LiveEndpoint at position 56');
  });

  // The URL parser dropped the line break: the next key became part of the ingestion path.
  it.each(['\n', '\r\n', '\t', ' '])('rejects an endpoint with %j inside (a missing ";")', (gap) => {
    const e = errorOf(
      `InstrumentationKey=${IKEY};IngestionEndpoint=https://x.in.applicationinsights.azure.com/${gap}LiveEndpoint=https://y/`,
    );
    expect(e).toMatchObject({ key: 'IngestionEndpoint', position: 56 });
    expect(e.message).toContain('contains a space or line break (a missing ";"?)');
  });

  it('rejects a non-http endpoint', () => {
    expect(errorOf(`InstrumentationKey=${IKEY};IngestionEndpoint=ftp://x/`)).toMatchObject({
      key: 'IngestionEndpoint',
    });
  });

  it('rejects a Location that is not alphanumeric', () => {
    const e = errorOf(
      `InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.azure.com;Location=west us`,
    );
    expect(e).toMatchObject({ key: 'Location', position: 101 });
  });

  // It used to give "https://dc.https://…" (shown as host "dc.https"), or a bare "Invalid URL" (exit 1).
  it.each([
    'https://applicationinsights.azure.com',
    'applicationinsights.azure.com/v2',
    'applicationinsights azure com',
    'applicationinsights.azure.com?x=1',
  ])('rejects an EndpointSuffix that is not a domain: %j', (suffix) => {
    const e = errorOf(`InstrumentationKey=${IKEY};EndpointSuffix=${suffix}`);
    expect(e).toMatchObject({ key: 'EndpointSuffix', position: 56 });
    expect(e.message).toContain('must be a domain such as applicationinsights.azure.com');
  });

  it('accepts an EndpointSuffix with a leading dot or a port', () => {
    expect(
      parseConnectionString(`InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.azure.cn:8443`)
        .ingestionEndpoint,
    ).toBe('https://dc.applicationinsights.azure.cn:8443/');
  });

  it.each([
    'not a url',
    'monitor.azure.com',
    'http://monitor.azure.com/',
    'https://monitor.azure.com/.default',
  ])(
    'rejects an AADAudience that is no audience (the token would be asked for "<it>/.default"): %j',
    (audience) => {
      const e = errorOf(`InstrumentationKey=${IKEY};AADAudience=${audience}`);
      expect(e).toMatchObject({ key: 'AADAudience', position: 56 });
      expect(e.message).toContain('must be an audience such as https://monitor.azure.com/');
      if (audience.endsWith('/.default')) expect(e.message).toContain('without /.default');
    },
  );

  it.each([
    'https://monitor.azure.com/',
    'https://monitor.azure.us',
    'api://11111111-2222-3333-4444-555555555555',
  ])('accepts an AADAudience %j', (audience) => {
    expect(parseConnectionString(`InstrumentationKey=${IKEY};AADAudience=${audience}`).audience).toBe(
      audience.replace(/\/+$/, ''),
    );
  });

  it('rejects strings over 4096 characters', () => {
    expect(errorOf(`InstrumentationKey=${IKEY};ApplicationId=${'a'.repeat(5000)}`).message).toContain('4096');
  });
});
