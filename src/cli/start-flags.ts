import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidHost } from '../proxy/connect-target';
import { isValidHostPattern, normalizeHostPattern } from '../proxy/host-pattern';
import { parseResolveSpec } from '../proxy/resolve-map';
import { ConnectionStringError, parseConnectionString } from '../ingestion/connection-string';
import { withoutCredentials } from '../ingestion/redact';
import { makeDirectories } from '../sinks/directories';
import { UsageError } from './usage-error';

/**
 * Checks of `start`'s flag values, so that every wrong value ends with a clear message and exit
 * code 2 instead of a silent default (yargs turns `--port abc` into NaN) or Node's raw error.
 * The same rules apply to the AIPROXY_<FLAG> environment variables (yargs reads both).
 */

/** A yargs `coerce` for a whole-number flag within [min, max]; keeps the value as the user typed it in errors. */
export function wholeNumber(flag: string, min: number, max: number): (value: unknown) => number {
  return (value) => {
    if (Array.isArray(value))
      throw new UsageError(`--${flag} was given more than once (${value.join(', ')})`);
    const text = String(value ?? '').trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`--${flag} "${text}": expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** wholeNumber() for a flag without a default: absent stays undefined. */
export function optionalWholeNumber(
  flag: string,
  min: number,
  max: number,
): (value: unknown) => number | undefined {
  const check = wholeNumber(flag, min, max);
  return (value) => (value === undefined ? undefined : check(value));
}

/** setTimeout's limit: a larger timeout would fire at once (Node clamps it to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A yargs `coerce` for a single string flag (given twice, yargs would pass an array). */
export function singleString(flag: string): (value: unknown) => string | undefined {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} was given more than once`);
    return value === undefined ? undefined : String(value);
  };
}

/**
 * --ca-dir (which always has a default): a directory path. An empty value would put the CA, its
 * key included, in the working directory.
 */
export function directoryPath(flag: string): (value: unknown) => string {
  return (value) => {
    const dir = singleString(flag)(value) ?? '';
    if (dir.trim() === '') throw new UsageError(`--${flag}: expected a directory path`);
    return dir;
  };
}

/**
 * A file the command will write (--log-file, --har, har --out): its directory is made and the
 * file opened for appending now, so a path that cannot be written (a directory, no permission, a
 * read-only place) stops the command with its reason instead of failing in a stream later.
 */
export function writableFile(flag: string): (value: unknown) => string | undefined {
  return (value) => {
    const file = singleString(flag)(value);
    if (file === undefined) return undefined;
    if (file === '') throw new UsageError(`--${flag}: expected a file path`);
    try {
      makeDirectories(path.dirname(path.resolve(file)));
      closeSync(openSync(file, 'a'));
    } catch (err) {
      throw new UsageError(
        `--${flag} ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    return file;
  };
}

/** --host (or another listen address flag): an IP address or a host name to listen on. */
export function checkListenHost(host: string, flag = 'host'): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (!isValidHost(bare))
    throw new UsageError(`--${flag} "${host}": expected an IP address or a host name to listen on`);
  return bare;
}

/** checkListenHost() as a yargs `coerce`, for a flag given once (absent stays undefined). */
export function listenHost(flag: string): (value: unknown) => string | undefined {
  return (value) => {
    const host = singleString(flag)(value);
    return host === undefined ? undefined : checkListenHost(host, flag);
  };
}

/**
 * --upstream-proxy: an http:// URL with a host and a port. "corpproxy:3128" would parse as a URL
 * with the scheme "corpproxy:" and no host, and traffic would go to 127.0.0.1:80: refused, with
 * the likely intended value.
 */
export function checkUpstreamProxy(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const shown = withoutCredentials(value);
  const hint = /^[^/:]+:\d+$/.test(value) ? ` (did you mean http://${shown}?)` : '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--upstream-proxy "${shown}" is not a URL like http://host:port${hint}`);
  }
  if (url.protocol !== 'http:' || !url.hostname) {
    throw new UsageError(
      `--upstream-proxy "${shown}": expected http://host:port, an HTTP proxy reached in clear (credentials go before the host as user:password@)${hint}`,
    );
  }
  checkProxyCredentials('--upstream-proxy', url, shown);
  return value;
}

/**
 * A proxy URL's user and password are percent-decoded for every CONNECT: a bare % (a password
 * like "50%off") would otherwise fail each connection with "URI malformed", far from the flag.
 */
export function checkProxyCredentials(flag: string, url: URL, shown: string): void {
  for (const [part, raw] of [
    ['user', url.username],
    ['password', url.password],
  ] as const) {
    try {
      decodeURIComponent(raw);
    } catch {
      throw new UsageError(
        `${flag} "${shown}": the ${part} is not valid percent-encoding (write a literal % as %25)`,
      );
    }
  }
}

/**
 * A yargs `coerce` for --intercept/--no-intercept: host names, IP literals or `*.domain`, several
 * at once separated by commas or spaces (AIPROXY_INTERCEPT holds one value). A URL, a port or a
 * bare `*` would never match any host, and the proxy would decrypt (or not) what the user did
 * not mean: refused, naming the value.
 */
export function hostPatterns(flag: string): (value: unknown) => string[] {
  return (value) => {
    const given = (Array.isArray(value) ? value : [value]).map((v) => String(v ?? ''));
    const words = given.flatMap((v) => v.split(/[\s,]+/)).filter((w) => w !== '');
    if (words.length === 0 && given.length > 0) {
      throw new UsageError(`--${flag}: expected a host name or *.domain`);
    }
    return words.map((word) => {
      const pattern = normalizeHostPattern(word);
      if (isValidHostPattern(pattern)) return pattern;
      const host = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(word)?.[1];
      const hint = host ? ` (did you mean ${host}?)` : '';
      throw new UsageError(
        `--${flag} "${withoutCredentials(word)}": expected a host name, an IP address or *.domain, without a scheme, port or path${hint}`,
      );
    });
  };
}

/** --resolve: each rule parses (the message names the rule). */
export function checkResolveRules(rules: string[]): string[] {
  for (const rule of rules) parseResolveSpec(rule);
  return rules;
}

/**
 * The proxy's USER:PASS: from --proxy-auth (also AIPROXY_PROXY_AUTH, which keeps it out of `ps`)
 * or from --proxy-auth-file (the file's first line). Not both.
 */
export function proxyCredentials(inline: string | undefined, file: string | undefined): string | undefined {
  if (inline !== undefined && file !== undefined) {
    throw new UsageError('--proxy-auth and --proxy-auth-file were both given: use one');
  }
  let value = inline;
  if (file !== undefined) {
    try {
      value = readFileSync(file, 'utf8').split(/\r?\n/)[0];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // USER:PASS itself given as the file (no directory in it): the error must not print it.
      if (/^[^/\\]+:/.test(file)) {
        throw new UsageError(
          `--proxy-auth-file: cannot read it (${code}); what was given looks like USER:PASS itself (not shown): give the path of a file holding it`,
        );
      }
      throw new UsageError(`--proxy-auth-file ${file}: cannot read it (${code})`);
    }
  }
  if (value === undefined) return undefined;
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) {
    throw new UsageError(
      `${file !== undefined ? `--proxy-auth-file ${file}` : '--proxy-auth'}: expected USER:PASS`,
    );
  }
  return value;
}

/**
 * Each connection string parses; a refusal says where the string came from: a stale
 * APPLICATIONINSIGHTS_CONNECTION_STRING in the shell is easy to miss when none was passed.
 */
export function checkConnectionStrings(flags: string[], fromEnv: string | undefined): void {
  const sources = [
    ...flags.map((text, i) => ({
      text,
      source: flags.length > 1 ? `--connection-string #${i + 1}` : '--connection-string',
    })),
    ...(fromEnv ? [{ text: fromEnv, source: 'APPLICATIONINSIGHTS_CONNECTION_STRING' }] : []),
  ];
  for (const { text, source } of sources) {
    // `--connection-string "$VAR"` with VAR unset: the proxy would start checking nothing.
    if (text.trim() === '') throw new UsageError(`${source} is empty (an unset variable?)`);
    try {
      parseConnectionString(text);
    } catch (err) {
      if (!(err instanceof ConnectionStringError)) throw err;
      throw new ConnectionStringError(`${source}: ${err.message}`, err.key, err.position);
    }
  }
}
