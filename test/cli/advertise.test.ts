import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { advertised, UNKNOWN_PROXY_HOST } from '../../src/cli/advertise';
import { selfCommand } from '../../src/cli/self-command';
import { startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

describe('the banner: what the app must use', () => {
  it('in a container: the advertised host and trust directory, never the wildcard or the key directory', () => {
    const a = advertised({
      listenHost: '0.0.0.0',
      port: 8888,
      caDir: '/certs',
      advertiseHost: 'proxy',
      advertiseTrustDir: '/trust',
    });
    expect(a.env).toBe('HTTPS_PROXY=http://proxy:8888 NODE_EXTRA_CA_CERTS=/trust/ca.pem');
    expect(a.javaFlags).toContain('-Dhttps.proxyHost=proxy ');
    expect(a.javaFlags).toContain('-Djavax.net.ssl.trustStore=/trust/truststore.p12 ');
    expect(`${a.env} ${a.javaFlags}`).not.toMatch(/0\.0\.0\.0|\/certs/);
    expect(a.hint).toBeUndefined();
  });

  it('a wildcard listen address without --advertise-host: a placeholder and a hint naming the flag', () => {
    for (const listenHost of ['0.0.0.0', '::']) {
      const a = advertised({ listenHost, port: 8888, caDir: '/certs' });
      expect(a.env).toBe(`HTTPS_PROXY=http://${UNKNOWN_PROXY_HOST}:8888 NODE_EXTRA_CA_CERTS=/certs/ca.pem`);
      expect(a.javaFlags).not.toContain(listenHost === '::' ? '=::' : '0.0.0.0');
      expect(a.hint).toMatch(/--advertise-host/);
    }
  });

  it('a local run: the listen address and the CA directory, as an absolute path; IPv6 in brackets', () => {
    const a = advertised({ listenHost: '127.0.0.1', port: 9999, caDir: 'certs' });
    expect(a.env).toBe(
      `HTTPS_PROXY=http://127.0.0.1:9999 NODE_EXTRA_CA_CERTS=${path.resolve('certs')}/ca.pem`,
    );
    expect(advertised({ listenHost: '::1', port: 1, caDir: '/c' }).env).toMatch(
      /^HTTPS_PROXY=http:\/\/\[::1\]:1 /,
    );
  });

  it("runProxy's start-up line carries the advertised settings", async () => {
    const proxy = await startTestProxy({ advertiseHost: 'proxy', advertiseTrustDir: '/trust' });
    try {
      const banner = proxy.lines().find((l) => String(l.msg).startsWith('appinsights-auth-proxy listening'));
      expect(banner.env).toBe(`HTTPS_PROXY=http://proxy:${proxy.port} NODE_EXTRA_CA_CERTS=/trust/ca.pem`);
      expect(banner.javaFlags).toContain('-Djavax.net.ssl.trustStore=/trust/truststore.p12');
    } finally {
      await proxy.close();
    }
  });
});

describe('selfCommand: how to run this CLI again from where a command is printed', () => {
  const tmp = tempDir('aiproxy-self-');
  afterAll(() => tmp.cleanup());
  const clone = path.join(tmp.dir, 'clone');
  const script = path.join(clone, 'dist/cli/main.js');
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, '');

  it('a clone, run from its root: node dist/cli/main.js', () => {
    expect(selfCommand(script, clone, '/usr/bin')).toBe('node dist/cli/main.js');
  });

  it('run from elsewhere: node with the absolute path (quoted when it needs quotes)', () => {
    const elsewhere = path.join(tmp.dir, 'elsewhere');
    mkdirSync(elsewhere);
    expect(selfCommand(script, elsewhere, '/usr/bin')).toBe(`node ${script}`);
    const spaced = path.join(tmp.dir, 'my app', 'main.js');
    mkdirSync(path.dirname(spaced), { recursive: true });
    writeFileSync(spaced, '');
    expect(selfCommand(spaced, elsewhere, '')).toBe(`node '${spaced}'`);
  });

  it('installed (the bin on PATH links to this script): the bin name', () => {
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(script, path.join(bin, 'appinsights-auth-proxy'));
    chmodSync(script, 0o755);
    expect(selfCommand(script, '/', `/usr/bin:${bin}`)).toBe('appinsights-auth-proxy');
    // a different install on PATH is not this one
    expect(selfCommand(path.join(tmp.dir, 'my app', 'main.js'), '/', bin)).not.toBe('appinsights-auth-proxy');
  });
});
