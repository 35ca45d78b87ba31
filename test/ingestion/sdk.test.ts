import { detectSdk, runtimeOfSdk, sdkFromUserAgent, sdkFromVersionTag } from '../../src/ingestion/sdk';

describe('SDK detection', () => {
  it.each([
    ['java:3.5.0', 'java-agent'],
    ['awr_java:3.4.19', 'java-agent'],
    ['node20:otel2.12.1:ext1.0.0-beta.47', 'js-exporter'],
    ['ulm_node20:otel2.10.0:dst1.21.0', 'js-exporter'],
    ['ulm_node:2.9.8', 'node-2x'],
    ['node:2.9.8', 'node-2x'],
    ['py3.11:otel1.25.0:ext1.0.0b30', 'python-exporter'],
    ['py3.7.4:oc0.7.0:ext1.0.0', 'opencensus-python'],
    ['dotnet8.0.0:otel1.9.0:ext1.3.0', 'dotnet'],
    ['dotnetc:2.21.0-429', 'dotnet'],
    ['aspnet5c:2.21.0', 'dotnet'],
    ['ruby:1.0', 'unknown'],
    ['javascript:2.8.14', 'unknown'],
  ])('sdkVersion %s → %s', (tag, sdk) => {
    expect(sdkFromVersionTag(tag)).toBe(sdk);
  });

  it.each([
    [
      'azsdk-js-monitor-opentelemetry-exporter/1.0.0-beta.1 core-rest-pipeline/1.24.0 Node/20.20.2 (Linux; x64)',
      'js-exporter',
    ],
    ['azsdk-js-identity/4.13.1 core-rest-pipeline/1.24.0 Node/20.20.2', 'js-exporter'],
    ['azsdk-python-azuremonitorclient/unknown Python/3.11.4 (Linux-6.1-x86_64)', 'python-exporter'],
    ['azsdk-net-Monitor.OpenTelemetry.Exporter/1.3.0 (.NET 8.0.1; Linux)', 'dotnet'],
    ['Java/17.0.15', 'java-agent'],
    ['Java-http-client/17.0.15', 'java-agent'],
    ['azsdk-java-azure-identity/1.12.0', 'java-agent'],
    ['curl/8.5.0', 'unknown'],
  ])('user agent %s → %s', (ua, sdk) => {
    expect(sdkFromUserAgent(ua)).toBe(sdk);
  });

  it('prefers the envelope tag over the user agent', () => {
    expect(
      detectSdk({
        userAgent: 'azsdk-js-monitor-opentelemetry-exporter/1.0.0',
        sdkVersions: ['ulm_node:2.9.8'],
      }),
    ).toBe('node-2x');
  });

  it("uses MSAL's SKU for token requests", () => {
    expect(detectSdk({ msalSku: 'MSAL.Java' })).toBe('java-agent');
    expect(detectSdk({ msalSku: 'MSAL.NetCore' })).toBe('dotnet');
    expect(detectSdk({ msalSku: 'MSAL.Python' })).toBe('python-exporter');
    expect(detectSdk({ msalSku: 'msal.js.node' })).toBe('js-exporter');
  });

  it('recognises the Java agent by body shape: gzip NDJSON, no User-Agent, no Content-Type', () => {
    expect(detectSdk({ bodyShape: 'ndjson', contentEncoding: 'gzip' })).toBe('java-agent');
    expect(
      detectSdk({ bodyShape: 'ndjson', contentEncoding: 'gzip', contentType: 'application/x-json-stream' }),
    ).toBe('unknown');
    expect(detectSdk({})).toBe('unknown');
  });

  it('maps SDKs to runtimes', () => {
    expect(runtimeOfSdk('java-agent')).toBe('java');
    expect(runtimeOfSdk('js-exporter')).toBe('node');
    expect(runtimeOfSdk('node-2x')).toBe('node');
    expect(runtimeOfSdk('python-exporter')).toBe('python');
    expect(runtimeOfSdk('opencensus-python')).toBe('python');
    expect(runtimeOfSdk('dotnet')).toBe('dotnet');
    expect(runtimeOfSdk('unknown')).toBeUndefined();
    expect(runtimeOfSdk(undefined)).toBeUndefined();
  });
});
