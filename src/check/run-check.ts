import { dnsStep, tcpStep, tlsStep } from './network-steps';
import { parseStep } from './parse-step';
import { tokenStep } from './token-step';
import { trackStep } from './track-step';
import { parseVia } from './tunnel';
import type { CheckOptions, CheckVerdict, StepResult } from './types';
import { verdictOf } from './verdict';

/**
 * `check`: the steps in order, each handed to `report` as soon as it completes. Stops at the
 * first step that blocks the next (no host, no connection, no token for a credential).
 */
export async function runCheck(
  options: CheckOptions,
  report: (step: StepResult) => void,
): Promise<{ steps: StepResult[]; verdict: CheckVerdict }> {
  const steps: StepResult[] = [];
  const done = (step: StepResult) => {
    steps.push(step);
    report(step);
    return step;
  };
  const finish = () => ({ steps, verdict: verdictOf(steps) });
  const via = options.via ? parseVia(options.via) : undefined;

  const parsed = parseStep(options.connectionString);
  done(parsed.result);
  const target = parsed.target;
  if (!target) return finish();

  if (done(await dnsStep(target, via)).status === 'failed') return finish();
  const tcp = await tcpStep(target, via, options.timeoutMs);
  done(tcp.result);
  if (!tcp.socket) return finish();
  if (done(await tlsStep(target, tcp.socket, options.timeoutMs)).status === 'failed') return finish();

  const token = await tokenStep(target, options, via);
  done(token.result);
  if (token.result.status === 'failed') return finish();

  done(await trackStep(target, token.token, via, options.timeoutMs));
  if (options.probeLocalAuth) done(await trackStep(target, undefined, via, options.timeoutMs, 'v2/track'));
  return finish();
}
