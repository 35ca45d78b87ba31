/**
 * Learn more links shared by catalog entries (Microsoft Learn first). Each published path was
 * checked against the troubleshooting article's own links or Microsoft's docs that link to it
 * (test/docs/links.test.ts holds the verified list and where each was checked).
 */

type Link = { title: string; url: string };

const link = (title: string, url: string): Link => ({ title, url });

export const LINKS = {
  entraAuth: link(
    'Microsoft Entra authentication for Application Insights',
    'https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication',
  ),
  troubleshootEntra: link(
    'Troubleshoot Microsoft Entra authentication issues (Application Insights)',
    // The published page lives under app-insights/telemetry/; Azure Monitor's own docs link here.
    'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/investigate-missing-telemetry#troubleshoot-microsoft-entra-authentication-issues',
  ),
  missingTelemetry: link(
    'Investigate missing telemetry in Application Insights',
    'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/investigate-missing-telemetry',
  ),
  connectionStrings: link(
    'Connection strings in Application Insights',
    'https://learn.microsoft.com/azure/azure-monitor/app/connection-strings',
  ),
  metricsPublisherRole: link(
    'Monitoring Metrics Publisher built-in role',
    'https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#monitoring-metrics-publisher',
  ),
  assignRole: link(
    'Assign Azure roles using the Azure portal',
    'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-portal',
  ),
  entraErrorCodes: link(
    'Microsoft Entra authentication and authorization error codes',
    'https://learn.microsoft.com/entra/identity-platform/reference-error-codes',
  ),
  clientCredentials: link(
    'OAuth 2.0 client credentials flow',
    'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow',
  ),
  appCredentials: link(
    'Add and manage application credentials',
    'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials',
  ),
  managedIdentityVm: link(
    'Use managed identities on a virtual machine to acquire an access token',
    'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token',
  ),
  managedIdentityAppService: link(
    'Managed identities for App Service and Azure Functions',
    'https://learn.microsoft.com/azure/app-service/overview-managed-identity',
  ),
  accessTokens: link(
    'Access tokens in the Microsoft identity platform',
    'https://learn.microsoft.com/entra/identity-platform/access-tokens',
  ),
  sampling: link(
    'Sampling in Application Insights',
    // The classic-API page moved under previous-versions/ (Microsoft's own docs link it there).
    'https://learn.microsoft.com/previous-versions/azure/azure-monitor/app/sampling-classic-api',
  ),
  dotnetEventSourceLogs: link(
    'Collect the .NET SDK event source logs with PerfView',
    // The article's relative link asp-net-troubleshoot-no-data.md#PerfView, published under telemetry/.
    'https://learn.microsoft.com/troubleshoot/azure/azure-monitor/app-insights/telemetry/asp-net-troubleshoot-no-data#PerfView',
  ),
  dailyCap: link('Daily cap', 'https://learn.microsoft.com/azure/azure-monitor/logs/daily-cap'),
  serviceLimits: link(
    'Azure Monitor service limits',
    'https://learn.microsoft.com/azure/azure-monitor/service-limits',
  ),
  liveMetrics: link('Live metrics', 'https://learn.microsoft.com/azure/azure-monitor/app/live-stream'),
  statsbeat: link(
    'Statsbeat in Application Insights',
    'https://learn.microsoft.com/azure/azure-monitor/app/statsbeat',
  ),
  javaConfig: link(
    'Configuration options for the Application Insights Java agent',
    'https://learn.microsoft.com/azure/azure-monitor/app/java-standalone-config',
  ),
  otelConfig: link(
    'Configure Azure Monitor OpenTelemetry',
    'https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-configuration',
  ),
  networkAccess: link(
    'Endpoints and firewall rules for Azure Monitor',
    'https://learn.microsoft.com/azure/azure-monitor/fundamentals/azure-monitor-network-access',
  ),
  dotnetProxy: link(
    'Configure a proxy for the Azure SDK for .NET',
    'https://learn.microsoft.com/dotnet/azure/sdk/configure-proxy',
  ),
  pythonProxy: link(
    'Configure a proxy for the Azure SDK for Python',
    'https://learn.microsoft.com/azure/developer/python/sdk/azure-sdk-configure-proxy',
  ),
  nodeExtraCaCerts: link(
    'Node.js: NODE_EXTRA_CA_CERTS',
    'https://nodejs.org/api/cli.html#node_extra_ca_certsfile',
  ),
} satisfies Record<string, Link>;
