import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findJdk } from '../../src/certs/jdk';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * `ca truststore --cacerts FILE` (compose.yaml's advice for the app JDK's own roots) with a file
 * that is no keystore exited 1 with "keytool -list FILE failed: Picked up JAVA_TOOL_OPTIONS:"
 * (keytool says why on stdout, and the emptied variable made the JVM print that notice), or with
 * "Too few bytes to read ASN.1 value." where there is no JDK (the proxy's image); the flag was
 * never named. It now exits 2 naming --cacerts and giving keytool's own reason.
 */
const tmp = tempDir('aiproxy-cacerts-');
afterAll(() => tmp.cleanup());

function truststore(cacerts: string, env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'ca',
      'truststore',
      '--ca-dir',
      path.join(tmp.dir, 'certs'),
      '--out',
      path.join(tmp.dir, 'ts.p12'),
      '--cacerts',
      cacerts,
    ],
    { encoding: 'utf8', timeout: 60_000, env },
  );
  return { code: run.status, stderr: run.stderr };
}

describe('ca truststore --cacerts with a file that is no keystore (built CLI)', () => {
  const garbage = path.join(tmp.dir, 'cacerts.pem');
  beforeAll(() => writeFileSync(garbage, 'not a keystore\n'));

  (findJdk()?.keytool ? it : it.skip)("with a JDK: exit 2, --cacerts named, keytool's reason", () => {
    const run = truststore(garbage);
    expect(run).toEqual({ code: 2, stderr: expect.stringContaining(`--cacerts ${garbage}: `) });
    expect(run.stderr).toMatch(/keytool error: .*(Unrecognized keystore format|Invalid keystore format)/);
    expect(run.stderr).not.toMatch(/Picked up/);
  });

  it('without a JDK (as in the image): exit 2, --cacerts named', () => {
    // PATH with node alone, no JAVA_HOME: no JDK is found
    const bin = path.join(tmp.dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const { JAVA_HOME: _home, ...env } = process.env;
    const run = truststore(garbage, { ...env, PATH: bin });
    expect(run).toEqual({ code: 2, stderr: expect.stringContaining(`--cacerts ${garbage}: `) });
    expect(run.stderr).toMatch(/expected a Java keystore, JKS or PKCS12/);
  });
});
