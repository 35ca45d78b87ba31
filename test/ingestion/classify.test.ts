import { classifyRequest } from '../../src/ingestion/classify';
import { body, envelope, exchange, STATSBEAT_IKEY, trackBody } from '../fixtures/exchanges';

const at = (host: string, path: string, method = 'POST') =>
  exchange({ request: { host, path, method, body: body(undefined) } });

describe('classifyRequest', () => {
  it.each([
    ['dc.services.visualstudio.com', '/v2/track', 'track-v2'],
    ['westus-0.in.applicationinsights.azure.com', '/v2.1/track', 'track-v2.1'],
    ['westeurope-5.in.applicationinsights.azure.com', '//v2.1/track', 'track-v2.1'],
    ['ingest.test', '/prefix/v2.1/track', 'track-v2.1'],
    [
      'westus.livediagnostics.monitor.azure.com',
      '/QuickPulseService.svc/ping?api-version=2024-04-01-preview&ikey=x',
      'live-ping',
    ],
    ['rt.services.visualstudio.com', '/QuickPulseService.svc/post?ikey=x', 'live-post'],
    ['login.microsoftonline.com', '/72f988bf-0000-0000-0000-000000000000/oauth2/v2.0/token', 'token'],
    ['login.microsoftonline.com', '/tenant/oauth2/token', 'token'],
    ['login.microsoftonline.com', '/common/discovery/instance?api-version=1.1', 'instance-discovery'],
    ['login.test', '/tenant/v2.0/.well-known/openid-configuration', 'openid-configuration'],
    ['169.254.169.254', '/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x', 'imds-token'],
    ['169.254.129.8', '/msi/token?api-version=2019-08-01', 'appservice-msi-token'],
    ['127.0.0.1', '/MSI/token/?api-version=2019-08-01', 'appservice-msi-token'],
    ['agent.azureserviceprofiler.net', '/api/profileragent/v4/settings?ikey=x', 'profiler'],
    ['agent.azureserviceprofiler.net', '/anything', 'profiler'],
    ['profiler.test', '/api/apps/x/artifactkinds/profile/artifacts/1?action=gettoken', 'profiler'],
    ['dc.services.visualstudio.com', '/api/profiles/11111111-****/appId', 'appid-lookup'],
    [
      'settings.sdk.monitor.azure.com',
      '/AzMonSDKDynamicConfigurationChanges?namespaces=nodejs',
      'onesettings',
    ],
    ['settings.sdk.monitor.azure.com', '/', 'onesettings'],
    ['example.com', '/v2.1/trackx', 'other'],
    ['example.com', '/', 'other'],
  ])('%s%s → %s', (host, path, kind) => {
    expect(classifyRequest(at(host, path))).toBe(kind);
  });

  it.each(['OPTIONS', 'HEAD', 'GET'])('%s on a track path carries no telemetry: other', (method) => {
    expect(classifyRequest(at('dc.services.visualstudio.com', '/v2/track', method))).toBe('other');
    expect(classifyRequest(at('westus-0.in.applicationinsights.azure.com', '/v2.1/track', method))).toBe(
      'other',
    );
  });

  it('a CONNECT is other', () => {
    expect(classifyRequest(at('x', 'x:443', 'CONNECT'))).toBe('other');
  });

  it('a track request whose envelopes are all statsbeat is statsbeat (parsing the body itself)', () => {
    const ex = exchange({
      request: { body: trackBody([envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat' })], 'ndjson') },
    });
    expect(classifyRequest(ex)).toBe('statsbeat');
  });

  it('a mixed batch stays a track request', () => {
    const ex = exchange({ request: { body: trackBody([envelope(), envelope({ iKey: STATSBEAT_IKEY })]) } });
    expect(classifyRequest(ex)).toBe('track-v2.1');
  });
});
