import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/usage-error';

/** A JDK (or JRE) found on this machine: where its default trust store and keytool are. */
export interface Jdk {
  home: string;
  /** The default trust store every JVM of this install uses (lib/security/cacerts). */
  cacerts: string;
  /** keytool, when this install has one. */
  keytool?: string;
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function jdkAt(home: string): Jdk | undefined {
  const cacerts = path.join(home, 'lib', 'security', 'cacerts');
  if (!existsSync(cacerts)) return undefined;
  const keytool = path.join(home, 'bin', 'keytool');
  return { home, cacerts, keytool: existsSync(keytool) ? keytool : undefined };
}

/** JAVA_HOME first (what the app's JVM most likely uses), else the `java` on PATH. */
export function findJdk(env: NodeJS.ProcessEnv = process.env): Jdk | undefined {
  if (env.JAVA_HOME) {
    const jdk = jdkAt(env.JAVA_HOME);
    if (jdk) return jdk;
  }
  const java = onPath('java', env);
  if (!java) return undefined;
  // /usr/bin/java -> /etc/alternatives/java -> <home>/bin/java
  return jdkAt(path.dirname(path.dirname(realpathSync(java))));
}

export interface NamedCert {
  alias: string;
  pem: string;
}

/** Splits `keytool -list -rfc` output into alias + PEM pairs. */
export function parseKeytoolRfc(output: string): NamedCert[] {
  const certs: NamedCert[] = [];
  const re = /Alias name:\s*(.+?)\s*\n[\s\S]*?(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----)/g;
  for (const m of output.matchAll(re)) certs.push({ alias: m[1]!, pem: `${m[2]!}\n` });
  return certs;
}

/** The trusted certificates of a keystore, read with keytool (works for JKS and PKCS12 alike). */
export function listWithKeytool(keytool: string, keystore: string, storepass: string): Promise<NamedCert[]> {
  return new Promise((resolve, reject) => {
    execFile(
      keytool,
      ['-list', '-rfc', '-keystore', keystore, '-storepass', storepass],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000, env: withoutJavaToolOptions(process.env) },
      (err, stdout, stderr) => {
        if (!err) return resolve(parseKeytoolRfc(stdout));
        // keytool says why on stdout ("keytool error: … password was incorrect"); stderr holds JVM notices.
        const why = /^keytool error: .*$/m.exec(String(stdout))?.[0] ?? (String(stderr).trim() || err.message);
        reject(
          new UsageError(
            `cannot read the JDK trust store ${keystore} with keytool (${why}). Fix: check --cacerts and --cacerts-password (a JDK's own cacerts uses changeit)`,
          ),
        );
      },
    );
  });
}

/** The environment without JAVA_TOOL_OPTIONS: the app's flags are not keytool's (even empty, the JVM prints a notice). */
function withoutJavaToolOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.JAVA_TOOL_OPTIONS;
  return out;
}
