import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readKeystoreCerts } from '../../src/certs/keystore-reader';
import { tempDir } from '../helpers/tmp';
import { cli } from './run-cli';

describe('appinsights-auth-proxy ca path | show | export | init', () => {
  const tmp = tempDir('aiproxy-cli-ca-');
  const caDir = path.join(tmp.dir, 'certs');
  afterAll(() => tmp.cleanup());

  it('ca path and ca show say how to make a CA when there is none (exit 2)', async () => {
    for (const sub of ['path', 'show']) {
      const r = await cli(['ca', sub, '--ca-dir', caDir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `no CA in ${caDir} yet: run "appinsights-auth-proxy ca init --ca-dir ${caDir}"`,
      );
    }
  });

  it('ca init creates a constrained CA and prints it; a second init refuses without --force', async () => {
    const r = await cli(['ca', 'init', '--ca-dir', caDir, '--intercept', '*.contoso.test']);
    expect(r.code).toBe(0);
    const fingerprint = new X509Certificate(readFileSync(path.join(caDir, 'ca.pem'))).fingerprint256;
    expect(r.stdout).toContain(`SHA-256:      ${fingerprint}`);
    expect(r.stdout).toMatch(
      /constraints: {2}may vouch only for .*applicationinsights\.azure\.com.*login\.microsoftonline\.com.*contoso\.test/,
    );
    const again = await cli(['ca', 'init', '--ca-dir', caDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `a CA already exists at ${path.join(caDir, 'ca.pem')} (SHA-256 ${fingerprint}); add --force`,
    );
  });

  it('ca path prints the certificate path; AIPROXY_CA_DIR sets the directory like --ca-dir', async () => {
    expect((await cli(['ca', 'path', '--ca-dir', caDir])).stdout).toBe(`${path.join(caDir, 'ca.pem')}\n`);
    process.env.AIPROXY_CA_DIR = caDir;
    try {
      expect((await cli(['ca', 'path'])).stdout).toBe(`${path.join(caDir, 'ca.pem')}\n`);
    } finally {
      delete process.env.AIPROXY_CA_DIR;
    }
  });

  it('ca show: files, fingerprint, validity, constraints, truststore state', async () => {
    const r = await cli(['ca', 'show', '--ca-dir', caDir]);
    expect(r.code).toBe(0);
    const cert = new X509Certificate(readFileSync(path.join(caDir, 'ca.pem')));
    expect(r.stdout).toContain(`certificate:  ${path.join(caDir, 'ca.pem')}`);
    expect(r.stdout).toContain(`private key:  ${path.join(caDir, 'ca.key')}`);
    expect(r.stdout).toContain(cert.fingerprint256);
    expect(r.stdout).toContain(new Date(cert.validTo).toISOString());
    expect(r.stdout).toContain('truststore:   ');
    expect(r.stdout).toContain('(not yet written: "appinsights-auth-proxy ca truststore")');
  });

  it('ca export --out a directory: exit 2 naming the flag, not a Node EISDIR', async () => {
    const r = await cli(['ca', 'export', '--ca-dir', caDir, '--out', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${tmp.dir} is a directory: name the file to write`);
    expect(r.stderr).not.toContain('EISDIR');
  });

  it('ca export writes PEM, DER and a keytool-readable PKCS12 of the same certificate, never the key', async () => {
    const expected = new X509Certificate(readFileSync(path.join(caDir, 'ca.pem'))).fingerprint256;
    for (const format of ['pem', 'der', 'p12']) {
      const out = path.join(tmp.dir, `export.${format}`);
      const r = await cli(['ca', 'export', '--ca-dir', caDir, '--format', format, '--out', out]);
      expect(r.code).toBe(0);
      const bytes = readFileSync(out);
      expect(bytes.toString('latin1')).not.toContain('PRIVATE KEY');
      const certs = format === 'p12' ? readKeystoreCerts(out, 'changeit').map((c) => c.pem) : [bytes];
      expect(certs.map((c) => new X509Certificate(c).fingerprint256)).toEqual([expected]);
    }
    const bad = await cli([
      'ca',
      'export',
      '--ca-dir',
      caDir,
      '--format',
      'jks',
      '--out',
      path.join(tmp.dir, 'x'),
    ]);
    expect(bad.code).toBe(2);
  });

  it('ca init --force replaces the CA and removes the stale truststore', async () => {
    const before = new X509Certificate(readFileSync(path.join(caDir, 'ca.pem'))).fingerprint256;
    writeFileSync(path.join(caDir, 'truststore.p12'), 'stale');
    const r = await cli(['ca', 'init', '--force', '--ca-dir', caDir, '--ca-unconstrained']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('clients that trusted it must trust this one');
    expect(r.stdout).toContain('constraints:  none');
    expect(new X509Certificate(readFileSync(path.join(caDir, 'ca.pem'))).fingerprint256).not.toBe(before);
    expect(existsSync(path.join(caDir, 'truststore.p12'))).toBe(false);
  });

  it('ca truststore creates a CA first when the directory is empty (a container init step)', async () => {
    const fresh = path.join(tmp.dir, 'fresh');
    const out = path.join(tmp.dir, 'shared', 'truststore.p12');
    const r = await cli(['ca', 'truststore', '--ca-dir', fresh, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`created a new CA at ${path.join(fresh, 'ca.pem')}`);
    expect(r.stdout).toContain(
      `-Djavax.net.ssl.trustStore=${out} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`,
    );
    const ours = new X509Certificate(readFileSync(path.join(fresh, 'ca.pem'))).fingerprint256;
    expect(new X509Certificate(readKeystoreCerts(out, 'changeit')[0]!.pem).fingerprint256).toBe(ours);
  }, 120_000);
});
