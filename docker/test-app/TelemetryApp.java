import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * A stand-in for a Java app with the Application Insights agent, for the container tests: it reads
 * APPLICATIONINSIGHTS_CONNECTION_STRING as the agent does and, every TELEMETRY_INTERVAL_SECONDS
 * (default 5), posts one gzip JSON batch (TELEMETRY_COUNT batches, then exits 0; default: forever) to IngestionEndpoint + "v2.1/track" with HttpURLConnection.
 * Proxy and trust come only from the JVM's system properties (JAVA_TOOL_OPTIONS), as for the agent.
 * No token: against an Entra-only resource that is the 401 the proxy explains.
 */
public final class TelemetryApp {
    public static void main(String[] args) throws Exception {
        String connectionString = System.getenv("APPLICATIONINSIGHTS_CONNECTION_STRING");
        if (connectionString == null || connectionString.isBlank()) {
            System.err.println("APPLICATIONINSIGHTS_CONNECTION_STRING is not set");
            System.exit(2);
        }
        String ikey = field(connectionString, "InstrumentationKey", "");
        String endpoint = field(connectionString, "IngestionEndpoint", "https://dc.services.visualstudio.com/");
        String interval = System.getenv().getOrDefault("TELEMETRY_INTERVAL_SECONDS", "5");
        long count = Long.parseLong(System.getenv().getOrDefault("TELEMETRY_COUNT", "-1"));
        URL url = new URL(endpoint.endsWith("/") ? endpoint + "v2.1/track" : endpoint + "/v2.1/track");
        System.out.println("posting telemetry to " + url + " via proxy " + System.getProperty("https.proxyHost")
                + ":" + System.getProperty("https.proxyPort"));
        for (long sent = 0; count < 0 || sent < count; sent++) {
            if (sent > 0) Thread.sleep(Long.parseLong(interval) * 1000L);
            try {
                post(url, ikey);
            } catch (Exception e) {
                System.out.println("failed: " + e);
            }
        }
    }

    private static String field(String connectionString, String name, String fallback) {
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(name)) return part.substring(eq + 1).trim();
        }
        return fallback;
    }

    private static void post(URL url, String ikey) throws Exception {
        String json = "[{\"ver\":1,\"name\":\"Microsoft.ApplicationInsights.Request\",\"time\":\"" + Instant.now()
                + "\",\"sampleRate\":100,\"iKey\":\"" + ikey + "\","
                + "\"tags\":{\"ai.cloud.role\":\"container-test-app\",\"ai.internal.sdkVersion\":\"java:3.7.0\"},"
                + "\"data\":{\"baseType\":\"RequestData\",\"baseData\":{\"ver\":2,\"id\":\"0123456789abcdef\","
                + "\"name\":\"GET /orders\",\"duration\":\"00:00:00.0120000\",\"success\":true,\"responseCode\":\"200\"}}}]";
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(buffer)) {
            gzip.write(json.getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = buffer.toByteArray();
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(10000);
        connection.setReadTimeout(10000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Content-Encoding", "gzip");
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("status=" + status + " usingProxy=" + connection.usingProxy() + " body=" + text);
    }
}
