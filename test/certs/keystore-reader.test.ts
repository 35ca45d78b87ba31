import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { createCa } from '../../src/certs/ca';
import { findJdk, listWithKeytool } from '../../src/certs/jdk';
import { readKeystoreCerts } from '../../src/certs/keystore-reader';
import { writeTrustStore } from '../../src/certs/truststore';
import { tempDir } from '../helpers/tmp';

const fingerprints = (certs: { pem: string }[]) => certs.map((c) => new X509Certificate(c.pem).fingerprint256).sort();

describe('reading a JDK default store without keytool (the fallback)', () => {
  const tmp = tempDir('aiproxy-ksr-');
  afterAll(() => tmp.cleanup());

  it("reads this JDK's cacerts (JKS or PKCS12) to the same certificates keytool lists", async () => {
    const jdk = findJdk()!;
    expect(jdk.keytool).toBeDefined();
    const direct = readKeystoreCerts(jdk.cacerts, 'changeit');
    const viaKeytool = await listWithKeytool(jdk.keytool!, jdk.cacerts, 'changeit');
    expect(direct.length).toBeGreaterThan(50);
    expect(fingerprints(direct)).toEqual(fingerprints(viaKeytool));
  });

  it('reads back our own PKCS12 truststore, EC roots included', async () => {
    const ca = await createCa(path.join(tmp.dir, 'certs'));
    const { file, entries } = await writeTrustStore(ca, path.join(tmp.dir, 'ts.p12'));
    const back = readKeystoreCerts(file, 'changeit');
    expect(back).toHaveLength(entries);
    expect(back[0]).toMatchObject({ alias: 'appinsights-auth-proxy-ca' });
    expect(back.some((c) => new X509Certificate(c.pem).publicKey.asymmetricKeyType === 'ec')).toBe(true);
  });
});
