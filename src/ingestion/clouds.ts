/** The Azure clouds, their Azure Monitor ingestion domains, token audiences and Entra hosts. */

export type CloudName = 'public' | 'usgov' | 'china';

export interface Cloud {
  name: CloudName;
  /** Suffixes (with the leading dot) of ingestion, live-metrics and profiler hosts. */
  monitorSuffixes: string[];
  /** Token audience expected by the ingestion service (without the trailing slash). */
  audience: string;
  /** Entra ID (login) hosts. */
  loginHosts: string[];
}

export const CLOUDS: Cloud[] = [
  {
    name: 'public',
    monitorSuffixes: [
      '.applicationinsights.azure.com',
      '.monitor.azure.com',
      '.services.visualstudio.com',
      '.azureserviceprofiler.net',
    ],
    audience: 'https://monitor.azure.com',
    loginHosts: ['login.microsoftonline.com', 'login.windows.net', 'sts.windows.net'],
  },
  {
    name: 'usgov',
    monitorSuffixes: ['.applicationinsights.us', '.applicationinsights.azure.us', '.monitor.azure.us'],
    audience: 'https://monitor.azure.us',
    loginHosts: ['login.microsoftonline.us'],
  },
  {
    name: 'china',
    monitorSuffixes: ['.applicationinsights.azure.cn', '.monitor.azure.cn'],
    audience: 'https://monitor.azure.cn',
    loginHosts: ['login.chinacloudapi.cn', 'login.partner.microsoftonline.cn'],
  },
];

/** Every host pattern intercepted by default ("*." matches any depth of sub-domain). */
export const DEFAULT_INTERCEPT_PATTERNS: string[] = [
  ...CLOUDS.flatMap((c) => c.monitorSuffixes.map((s) => `*${s}`)),
  ...CLOUDS.flatMap((c) => c.loginHosts),
];

export function cloudOfHost(host: string): Cloud | undefined {
  const h = host.toLowerCase();
  return CLOUDS.find((c) => c.monitorSuffixes.some((s) => h.endsWith(s)) || c.loginHosts.includes(h));
}
