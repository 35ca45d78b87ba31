import { shellWord } from '../model/shell-word';

/**
 * An expired CA (or one whose validity starts later than this machine's clock) loads without
 * error, yet every client rejects each certificate the proxy makes with it: the leaves cannot
 * outlive their CA. Said plainly at start and by `ca show`, instead of letting every app's
 * failure look like a CA it does not trust.
 */
export function caValidityProblem(
  ca: { certPath: string; dir: string; notBefore: Date; notAfter: Date },
  now = Date.now(),
): string | undefined {
  const recreate = `re-create the CA with: appinsights-auth-proxy ca init --force --ca-dir ${shellWord(ca.dir)} (then make your clients trust the new ca.pem)`;
  if (ca.notAfter.getTime() <= now)
    return `${ca.certPath} expired on ${ca.notAfter.toISOString()}: every client rejects the certificates the proxy makes with it ("certificate has expired"), even one that trusts it. Fix: ${recreate}`;
  if (ca.notBefore.getTime() > now)
    return `${ca.certPath} is valid only from ${ca.notBefore.toISOString()}, later than this machine's clock (${new Date(now).toISOString()}): clients reject its certificates ("not yet valid"). Fix: correct the clock, or ${recreate}`;
  return undefined;
}
