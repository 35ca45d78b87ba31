import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Tiny Java programs for the tests, compiled with javac at test time.
 * HttpsGet: GETs each URL through the JVM's default proxy selector (so -Dhttps.proxyHost applies)
 * and prints "OK <url> <status>" or "FAIL <url> <exception>".
 * TlsProbe: a TLS handshake with host-name checking to 127.0.0.1:<port> with SNI <host>.
 */
const SOURCES: Record<string, string> = {
  'HttpsGet.java': `
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
public class HttpsGet {
  public static void main(String[] urls) {
    for (String u : urls) {
      try {
        HttpsURLConnection c = (HttpsURLConnection) new URL(u).openConnection();
        c.setConnectTimeout(10000);
        c.setReadTimeout(10000);
        int status = c.getResponseCode();
        c.getInputStream().readAllBytes();
        System.out.println("OK " + u + " " + status);
      } catch (Exception e) {
        System.out.println("FAIL " + u + " " + e);
      }
    }
  }
}`,
  'TlsProbe.java': `
import javax.net.ssl.*;
import java.net.Socket;
import java.util.List;
public class TlsProbe {
  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
    try (Socket raw = new Socket("127.0.0.1", port);
         SSLSocket s = (SSLSocket) f.createSocket(raw, host, port, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setServerNames(List.of(new SNIHostName(host)));
      s.setSSLParameters(p);
      s.startHandshake();
      System.out.println("ACCEPTED " + host);
    } catch (Exception e) {
      System.out.println("REJECTED " + host + " " + e);
    }
  }
}`,
};

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop (the proxy under test lives in this process). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 90_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Compiles the test programs into `dir/classes`; returns the class path. */
export async function compileJavaPrograms(dir: string): Promise<string> {
  const src = path.join(dir, 'java-src');
  const classes = path.join(dir, 'classes');
  mkdirSync(src, { recursive: true });
  mkdirSync(classes, { recursive: true });
  const files = Object.entries(SOURCES).map(([name, code]) => {
    const file = path.join(src, name);
    writeFileSync(file, code);
    return file;
  });
  const result = await run('javac', ['-d', classes, ...files]);
  if (result.code !== 0) throw new Error(`javac failed: ${result.stderr}`);
  return classes;
}

/** `java -cp classes Main args`, with JAVA_TOOL_OPTIONS (and nothing else Java-related) from the caller. */
export function java(classes: string, main: string, args: string[], javaToolOptions: string): Promise<RunResult> {
  const env = { ...process.env, JAVA_TOOL_OPTIONS: javaToolOptions };
  return run('java', ['-cp', classes, main, ...args], env);
}
