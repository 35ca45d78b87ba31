import { CATALOG } from '../../src/diagnosis/catalog';

/**
 * Every link the catalog gives, checked by hand against the troubleshooting article's own links
 * (shared/seed) or against Microsoft's docs that link to the published page (found with the code
 * search over MicrosoftDocs and SDK repositories). A link that is not here fails the test: check
 * it, then add it with where it was checked.
 */
const VERIFIED: Record<string, string> = {
  'https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication':
    "the article's own link (/azure/azure-monitor/app/azure-ad-authentication)",
  'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/investigate-missing-telemetry#troubleshoot-microsoft-entra-authentication-issues':
    'MicrosoftDocs azure-docs azure-ad-authentication.md "Troubleshooting" section (the published place of the article, under telemetry/)',
  'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/investigate-missing-telemetry':
    'the same page without the section anchor',
  'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/asp-net-troubleshoot-no-data#PerfView':
    "the article's own relative link asp-net-troubleshoot-no-data.md#PerfView, published under telemetry/ (linked so from Microsoft docs)",
  'https://learn.microsoft.com/azure/azure-monitor/app/connection-strings': 'Microsoft docs links',
  'https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#monitoring-metrics-publisher':
    'Azure SDK READMEs and Microsoft docs',
  'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-portal':
    'Microsoft docs links',
  'https://learn.microsoft.com/entra/identity-platform/reference-error-codes': 'Microsoft docs links',
  'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow':
    'Microsoft docs links',
  'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials': 'Microsoft docs links',
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token':
    'Microsoft docs links (the entra/ path that replaced active-directory/)',
  'https://learn.microsoft.com/azure/app-service/overview-managed-identity': 'Microsoft docs links',
  'https://learn.microsoft.com/entra/identity-platform/access-tokens': 'Microsoft docs links',
  'https://learn.microsoft.com/previous-versions/azure/azure-monitor/app/sampling-classic-api':
    'MicrosoftDocs azure-docs: the classic sampling page moved under previous-versions/',
  'https://learn.microsoft.com/azure/azure-monitor/logs/daily-cap': 'Microsoft docs links',
  'https://learn.microsoft.com/azure/azure-monitor/service-limits': 'Microsoft docs links',
  'https://learn.microsoft.com/azure/azure-monitor/app/live-stream': 'Microsoft docs and SDK source links',
  'https://learn.microsoft.com/azure/azure-monitor/app/statsbeat': 'Azure SDK for .NET source (remarks link)',
  'https://learn.microsoft.com/azure/azure-monitor/app/java-standalone-config': 'Microsoft docs links',
  'https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-configuration': 'Microsoft docs links',
  'https://learn.microsoft.com/azure/azure-monitor/fundamentals/azure-monitor-network-access':
    'Microsoft docs links',
  'https://learn.microsoft.com/dotnet/azure/sdk/configure-proxy': 'Azure SDK for .NET docs',
  'https://learn.microsoft.com/azure/developer/python/sdk/azure-sdk-configure-proxy': 'Microsoft docs links',
  'https://nodejs.org/api/cli.html#node_extra_ca_certsfile': 'Node.js documentation (not a Learn page)',
};

/** Every URL anywhere in an entry: Learn more links and URLs written into the text. */
function urlsOf(entry: (typeof CATALOG)[number]): string[] {
  const texts = [
    entry.symptom,
    entry.why,
    entry.detection,
    ...entry.fix,
    ...Object.values(entry.fixByRuntime ?? {}).flat(),
  ];
  const inText = texts.flatMap((t) => t.match(/https?:\/\/[^\s`'")<>]+/g) ?? []);
  return [...entry.learnMore.map((l) => l.url), ...inText.filter((u) => /learn\.microsoft\.com/.test(u))];
}

describe('catalog links (issue 11 item 8)', () => {
  const all = [...new Set(CATALOG.flatMap(urlsOf))];

  it.each(all)('%s is in the verified list', (url) => {
    expect({ url, verified: url in VERIFIED }).toEqual({ url, verified: true });
  });

  it('the old troubleshooting URL without the telemetry/ segment is gone', () => {
    expect(all.some((u) => u.includes('/app-insights/troubleshoot-microsoft-entra-authentication'))).toBe(
      false,
    );
    expect(
      all.some(
        (u) => u.includes('/azure-monitor/app/sampling-classic-api') && !u.includes('previous-versions'),
      ),
    ).toBe(false);
  });

  it('the links the article itself gives are used, at their published paths', () => {
    // The article (shared/seed, not in the repository) links `/azure/azure-monitor/app/azure-ad-authentication`
    // and, relatively, `asp-net-troubleshoot-no-data.md#PerfView`.
    const fromArticle = [
      'https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication',
      'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/asp-net-troubleshoot-no-data#PerfView',
    ];
    for (const link of fromArticle) expect(all).toContain(link);
  });

  it('negative: a link missing from the list would be caught', () => {
    const unverified =
      'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/troubleshoot-microsoft-entra-authentication';
    expect(unverified in VERIFIED).toBe(false);
  });
});
