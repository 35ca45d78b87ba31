import { isIP } from 'node:net';

/** Whether `start` serves the page, and what the banner says about it. */
export interface UiDecision {
  enabled: boolean;
  /** Why it is off, or what to know while it is on. */
  note?: string;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * On by default on loopback. On a shared network the page shows everyone's traffic, so it needs
 * --proxy-auth (the page then asks for the same credentials), or an explicit --ui true.
 */
export function uiDecision(ui: boolean | undefined, host: string, proxyAuth: string | undefined): UiDecision {
  if (ui === false) return { enabled: false, note: 'inspector page off (--ui false)' };
  if (isLoopbackHost(host)) return { enabled: true };
  if (proxyAuth) return { enabled: true, note: 'the page asks for the --proxy-auth credentials' };
  if (ui === true)
    return {
      enabled: true,
      note: `--ui true on ${host} without --proxy-auth: anyone who can reach this port can read the page`,
    };
  return {
    enabled: false,
    note: `inspector page off: the proxy listens on ${host} without --proxy-auth, so anyone on the network could read it (add --proxy-auth USER:PASS, or --ui true)`,
  };
}

/** The address a person types for the page. */
export function pageUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
}
