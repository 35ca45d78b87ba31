import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

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

/**
 * The environment for keytool without the variables every JVM reads: the app's JAVA_TOOL_OPTIONS
 * (a truststore flag, a proxy) must not steer it. Unset, not empty: an empty one still makes the
 * JVM print "Picked up JAVA_TOOL_OPTIONS:", which hid keytool's own error.
 */
function withoutJvmOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { JAVA_TOOL_OPTIONS: _tool, JDK_JAVA_OPTIONS: _jdk, _JAVA_OPTIONS: _java, ...rest } = env;
  return rest;
}

/** keytool prints its error ("keytool error: ...") on stdout; the JVM's notices go to stderr. */
function keytoolReason(stdout: string, stderr: string, err: Error): string {
  const lines = `${stdout}\n${stderr}`.split('\n').map((l) => l.trim());
  const said = lines.filter((l) => l !== '' && !l.startsWith('Picked up '));
  return (said.find((l) => l.startsWith('keytool error')) ?? said[0] ?? err.message).trim();
}

/** The trusted certificates of a keystore, read with keytool (works for JKS and PKCS12 alike). */
export function listWithKeytool(keytool: string, keystore: string, storepass: string): Promise<NamedCert[]> {
  return new Promise((resolve, reject) => {
    execFile(
      keytool,
      ['-list', '-rfc', '-keystore', keystore, '-storepass', storepass],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000, env: withoutJvmOptions(process.env) },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`keytool -list ${keystore} failed: ${keytoolReason(stdout, stderr, err)}`));
        else resolve(parseKeytoolRfc(stdout));
      },
    );
  });
}
