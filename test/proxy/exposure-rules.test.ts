import {
  DestinationRefused,
  isLocalClient,
  isLoopbackHost,
  isPrivateDestination,
  refusedDestination,
} from '../../src/proxy/exposure';
import { ResolveMap } from '../../src/proxy/resolve-map';

/** The address rules behind test/proxy/exposure.test.ts, over the edge cases of each family. */
describe('exposure rules', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['0.0.0.0', true],
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['::', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:7f00:1', true],
    ['[::ffff:a9fe:a9fe]', true],
    ['10.0.0.1', false],
    ['192.168.1.1', false],
    ['128.0.0.1', false],
    ['169.255.0.1', false],
    ['fec0::1', false],
    ['::ffff:10.0.0.1', false],
    ['2001:db8::1', false],
    ['example.com', false],
  ])('isPrivateDestination(%s) = %s', (address, expected) => {
    expect(isPrivateDestination(address)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.0.0.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:2', true],
    ['10.213.0.2', false],
    ['::ffff:10.0.0.1', false],
    ['169.254.169.254', false],
    [undefined, false],
  ])('isLocalClient(%s) = %s', (address, expected) => {
    expect(isLocalClient(address)).toBe(expected);
  });

  it('loopback --host values', () => {
    for (const h of ['127.0.0.1', 'localhost', 'LOCALHOST', '::1', '127.0.0.2'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'myhost']) expect(isLoopbackHost(h)).toBe(false);
  });

  const policy = {
    allowPrivate: false,
    resolve: new ResolveMap(['westus-0.in.applicationinsights.azure.com=127.0.0.1:9443']),
  };

  it('refuses private literals and localhost for a remote client; local clients and the opt-in pass', async () => {
    for (const host of ['127.0.0.1', '169.254.169.254', '::1', 'localhost', 'LocalHost.']) {
      expect(await refusedDestination({ host, port: 80 }, false, policy)).toBeInstanceOf(DestinationRefused);
      expect(await refusedDestination({ host, port: 80 }, true, policy)).toBeUndefined();
      expect(
        await refusedDestination({ host, port: 80 }, false, { ...policy, allowPrivate: true }),
      ).toBeUndefined();
    }
    expect(await refusedDestination({ host: '10.1.2.3', port: 80 }, false, policy)).toBeUndefined();
  });

  it('a --resolve rule is the operator’s choice; with an upstream proxy only literals are checked', async () => {
    const mapped = { host: 'westus-0.in.applicationinsights.azure.com', port: 443 };
    expect(await refusedDestination(mapped, false, policy)).toBeUndefined();
    const upstream = { ...policy, namesResolvedUpstream: true };
    expect(await refusedDestination({ host: '127.0.0.1', port: 80 }, false, upstream)).toBeInstanceOf(
      DestinationRefused,
    );
    expect(await refusedDestination({ host: 'localhost', port: 80 }, false, upstream)).toBeInstanceOf(
      DestinationRefused,
    );
  });
});
