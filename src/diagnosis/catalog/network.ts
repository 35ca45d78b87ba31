import { LINKS } from './links';
import { TRUST_PROXY_CA } from './runtime-steps';
import type { CatalogEntry } from './types';

/** Failures of the connection itself, on the client's side or the upstream's. */
export const NETWORK_ENTRIES: CatalogEntry[] = [
  {
    id: 'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    severity: 'error',
    stage: 'proxy-trust',
    severityCases: [
      {
        severity: 'warning',
        when: 'the client closed the handshake without an alert, so distrust is only likely',
      },
    ],
    title: "The app does not trust the proxy's CA certificate",
    symptom:
      'The app opens a TLS connection through the proxy and drops it during the handshake; the app logs a certificate error and nothing is sent.',
    why: "To read the traffic the proxy presents certificates issued by its own CA. The app's runtime only trusts its default root store, so it refuses them until the proxy CA is added to what that runtime trusts.",
    detection:
      'The client sent a TLS alert (unknown ca, certificate unknown, bad certificate) during the handshake with the proxy, or closed the connection during the handshake without one (then only likely).',
    fix: [
      "Make the app's runtime trust the proxy CA certificate ({caCertPath}) and restart the app; the runtime-specific steps say how.",
      'Remove that trust when you are done debugging.',
    ],
    fixByRuntime: TRUST_PROXY_CA,
    learnMore: [LINKS.javaConfig, LINKS.dotnetProxy, LINKS.pythonProxy, LINKS.nodeExtraCaCerts],
  },
  {
    id: 'CLIENT_TLS_INCOMPATIBLE',
    severity: 'error',
    stage: 'proxy-trust',
    title: "The app's TLS handshake offered nothing the proxy speaks",
    symptom:
      'The app opens a TLS connection through the proxy and the proxy ends the handshake; no request is sent. Without the proxy the same app works.',
    why: 'To the app the proxy speaks HTTP/1.1 over TLS 1.2 or 1.3. A client that offers only HTTP/2 (ALPN `h2` alone, as gRPC clients do) or only older TLS versions has nothing in common with it. This is not about trusting the proxy CA.',
    detection:
      "The proxy's own TLS library refused the client's hello: no application protocol in common (ALPN), or a TLS version or cipher it does not accept (the OpenSSL code is in the evidence).",
    fix: [
      'Let the client offer HTTP/1.1 (most HTTP clients offer it next to h2; for a gRPC exporter use its HTTP/protobuf variant) and TLS 1.2 or later.',
      'Or leave the host out of interception (`--no-intercept HOST`): it is then tunnelled untouched, and not shown.',
    ],
    learnMore: [LINKS.networkAccess],
  },
  {
    id: 'CLIENT_ABORTED',
    severity: 'info',
    stage: 'informational',
    title: 'The client closed the connection before the exchange completed',
    symptom: 'The app closed the connection before the answer arrived.',
    why: 'SDKs abort requests on their own timeout or at shutdown (a process that exits right after flushing). One abort is harmless; many point at a slow upstream or a short SDK timeout.',
    detection: 'The client side of the connection closed before the response was complete.',
    fix: [
      "If it repeats, compare the timing in the log with the SDK's request timeout, and let the app flush before it exits.",
    ],
    learnMore: [LINKS.missingTelemetry],
  },
  {
    id: 'UPSTREAM_UNREACHABLE',
    severity: 'error',
    stage: 'network',
    title: 'The proxy could not reach the service',
    symptom:
      'The proxy answered the app itself (502) because it could not connect to the service, or could not read its answer.',
    why: 'The connection to the upstream failed: the name did not resolve, the connection was refused or reset, or the upstream proxy failed. The app would likely see the same from this network without the proxy. With an `HPE_` code the upstream was reached, but its answer was not HTTP/1.1 that Node can read (a header block over 16 KB, a malformed header, conflicting lengths).',
    detection:
      "The proxy's upstream connection failed (DNS, refused, reset, upstream proxy), or Node's HTTP parser refused the answer (an `HPE_` code).",
    fix: [
      'Check DNS and the firewall from this machine to the host in the evidence (port 443).',
      'With an `HPE_` code, look at the raw answer (`curl -v` from this machine): a TLS-inspecting device or a test double on the path sends it, not Azure Monitor.',
      'If the network needs a corporate proxy, start this proxy with its upstream proxy setting.',
      'Compare the host with the endpoints of the connection string: a typo in IngestionEndpoint shows up here.',
    ],
    learnMore: [LINKS.networkAccess, LINKS.connectionStrings],
  },
  {
    id: 'UPSTREAM_TLS_FAILED',
    severity: 'error',
    stage: 'network',
    title: "The proxy could not verify the service's certificate",
    symptom: 'The proxy answered the app itself (502) because the TLS handshake with the service failed.',
    why: 'The certificate the upstream presented is not trusted by the proxy (a TLS-inspecting corporate proxy or firewall on the path, a test double with its own certificate) or does not match the host name.',
    detection: "The proxy's TLS handshake with the upstream failed; the error code says why.",
    fix: [
      'If a corporate TLS-inspecting device is on the path, start the proxy with `--upstream-ca <its root CA, PEM>` (or AIPROXY_UPSTREAM_CA).',
      "For a local test double, pass the double's CA the same way (`--upstream-ca <its ca.pem>`; `start --rehearse` wires the fake for you) rather than turning verification off.",
    ],
    learnMore: [LINKS.networkAccess],
  },
  {
    id: 'UPSTREAM_TIMEOUT',
    severity: 'error',
    stage: 'network',
    title: 'The service did not answer in time',
    symptom: 'The proxy gave up waiting for the service and answered the app itself (504).',
    why: "The connection to the upstream or its answer took longer than the proxy's timeout: a filtering firewall that drops packets, a slow network, or a service problem.",
    detection: "The proxy's upstream connection or response timed out.",
    fix: [
      'Check that outbound 443 to the host in the evidence is allowed (a silent drop looks like this).',
      "If the network is slow, raise the proxy's upstream timeout.",
    ],
    learnMore: [LINKS.networkAccess],
  },
];
