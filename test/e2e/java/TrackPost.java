import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * What the Application Insights Java agent does on the wire, reduced to one request: a gzip JSON
 * POST with a Bearer token, through the JVM's proxy settings (-Dhttps.proxyHost/-Dhttps.proxyPort)
 * and trust store (-Djavax.net.ssl.trustStore). Usage: TrackPost URL TOKEN IKEY
 */
public final class TrackPost {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String token = args[1];
        String ikey = args[2];
        String json = "[{\"ver\":1,\"name\":\"Microsoft.ApplicationInsights.Request\",\"time\":\""
                + Instant.now() + "\",\"sampleRate\":100,\"iKey\":\"" + ikey + "\","
                + "\"tags\":{\"ai.cloud.role\":\"java-e2e\",\"ai.internal.sdkVersion\":\"java:3.7.0\"},"
                + "\"data\":{\"baseType\":\"RequestData\",\"baseData\":{\"ver\":2,\"id\":\"0123456789abcdef\","
                + "\"name\":\"GET /orders\",\"duration\":\"00:00:00.0120000\",\"success\":true,\"responseCode\":\"200\"}}}]";
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(buffer)) {
            gzip.write(json.getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = buffer.toByteArray();
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setConnectTimeout(10000);
        connection.setReadTimeout(10000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Content-Encoding", "gzip");
        connection.setRequestProperty("Authorization", "Bearer " + token);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("status=" + status + " usingProxy=" + connection.usingProxy() + " body=" + text);
        System.exit(status == 200 ? 0 : 1);
    }
}
