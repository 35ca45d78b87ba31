/**
 * Ordinary application log lines (Spring, ASP.NET, Python logging, Node, access logs), including
 * words that sound alarming (401, certificate, authentication error, token) but are not SDK
 * messages: `explain` must stay silent on all of them.
 */
const TEMPLATES: ((i: number) => string)[] = [
  (i) =>
    `2025-01-02 03:04:${pad(i)}.123  INFO 4242 --- [nio-8080-exec-${i % 10}] c.e.orders.OrderController : GET /api/orders/${i} completed in ${i % 90} ms`,
  (i) =>
    `2025-01-02T03:04:${pad(i)}Z WARN  [main] o.h.e.j.s.SqlExceptionHelper - SQL Warning Code: 0, SQLState: 01000 (${i})`,
  (i) => `127.0.0.1 - - [02/Jan/2025:03:04:${pad(i)} +0000] "GET /api/users/${i} HTTP/1.1" 401 ${100 + i}`,
  (i) => `127.0.0.1 - - [02/Jan/2025:03:04:${pad(i)} +0000] "POST /login HTTP/1.1" 403 12 "-" "curl/8.5.0"`,
  (i) =>
    `info: Microsoft.AspNetCore.Hosting.Diagnostics[2] Request finished HTTP/1.1 GET http://localhost:5000/health - 200 - text/plain ${i}.1234ms`,
  (i) => `fail: MyApp.Auth[0] Authentication failed for user u${i}: invalid password`,
  (i) => `ERROR:myapp.views:Authentication error for user alice${i}: bad password`,
  (i) => `WARNING:myapp.jobs:job ${i} retrying after timeout (attempt 2 of 5)`,
  (i) => `[${i}] Error: connect ECONNREFUSED 127.0.0.1:5432 at TCPConnectWrap.afterConnect [as oncomplete]`,
  (i) =>
    `2025-01-02 03:04:${pad(i)} DEBUG refreshing OAuth token for the payment gateway (expires in ${i} s)`,
  (i) => `INFO  certificate for api.example.com renewed, valid until 2026-0${(i % 9) + 1}-01`,
  (i) => `HTTP 401 Unauthorized returned to client 10.0.0.${i % 255} for /admin`,
  (i) => `    at com.example.orders.OrderService.place(OrderService.java:${i})`,
  (i) => `Traceback (most recent call last): File "app.py", line ${i}, in <module>`,
  (i) => `KeyError: 'customer_${i}'`,
  (i) => `[INFO] Started Application in ${(i % 9) + 1}.42 seconds (process running for 5.1)`,
  (i) => `user ${i} logged in with token ending ...${(1000 + i).toString(16)}`,
  (i) => `Received response code 200 from inventory service in ${i} ms`,
  (i) => `Sending order ${i} to the fulfilment service`,
  (i) => `{"level":"info","msg":"cache miss","key":"product:${i}","durationMs":${i % 17}}`,
];

function pad(i: number): string {
  return String(i % 60).padStart(2, '0');
}

export function ordinaryLog(count: number): string[] {
  return Array.from({ length: count }, (_, i) => TEMPLATES[i % TEMPLATES.length]!(i));
}
