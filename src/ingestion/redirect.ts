/**
 * Where newer SDKs (Java, JavaScript) agree to follow an ingestion redirect: https, default port,
 * and a host under one of these Azure Monitor domains. Older SDKs follow any Location.
 */
export const REDIRECT_ALLOWED_SUFFIXES = [
  '.livediagnostics.monitor.azure.com',
  '.monitor.azure.com',
  '.services.visualstudio.com',
  '.applicationinsights.azure.com',
  '.monitor.azure.us',
  '.applicationinsights.azure.us',
  '.monitor.azure.cn',
  '.applicationinsights.azure.cn',
];

/** Why an SDK with cross-origin checks would refuse this redirect target; undefined when it would follow it. */
export function redirectRefusalReason(location: string | undefined): string | undefined {
  if (!location) return 'no Location header';
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return 'Location is not an absolute URL';
  }
  if (url.protocol !== 'https:') return `Location uses ${url.protocol.replace(':', '')}, not https`;
  if (url.port && url.port !== '443') return `Location uses port ${url.port}, not the default`;
  const host = url.hostname.toLowerCase();
  if (!REDIRECT_ALLOWED_SUFFIXES.some((s) => host.endsWith(s)))
    return `${host} is not an Azure Monitor domain`;
  return undefined;
}
