import { maskGuidsInText } from '../../src/ingestion/mask';
import { redirectRefusalReason } from '../../src/ingestion/redirect';

describe('redirectRefusalReason', () => {
  it.each([
    ['https://westus2-1.in.applicationinsights.azure.com/v2.1/track', undefined],
    ['https://westus.livediagnostics.monitor.azure.com/QuickPulseService.svc', undefined],
    ['https://usgovvirginia-1.in.applicationinsights.azure.us/v2.1/track', undefined],
    [undefined, 'no Location header'],
    ['/v2.1/track', 'Location is not an absolute URL'],
    ['http://westus2-1.in.applicationinsights.azure.com/v2.1/track', 'Location uses http, not https'],
    [
      'https://westus2-1.in.applicationinsights.azure.com:8443/v2.1/track',
      'Location uses port 8443, not the default',
    ],
    ['https://localhost/v2.1/track', 'localhost is not an Azure Monitor domain'],
  ])('%s → %s', (location, reason) => {
    expect(redirectRefusalReason(location)).toBe(reason);
  });
});

describe('maskGuidsInText', () => {
  it('masks dashed and undashed GUIDs, leaves other text', () => {
    expect(
      maskGuidsInText('key 11111111-2222-3333-4444-555555555555 and 11111111222233334444555555555555 end'),
    ).toBe('key 11111111-****-****-****-********5555 and 11111111-****-****-****-********5555 end');
    expect(maskGuidsInText('Invalid instrumentation key')).toBe('Invalid instrumentation key');
  });
});
