import { formatFinding } from '../sinks/pretty';
import type { CheckVerdict, StepResult } from './types';

const MARK: Record<StepResult['status'], string> = {
  ok: '[ ok ]',
  info: '[note]',
  warning: '[WARN]',
  failed: '[FAIL]',
  skipped: '[skip]',
};

/** One step as text: a mark, the step, its line, then its findings as the proxy's pretty view shows them. */
export function stepText(step: StepResult, color: boolean): string {
  const lines = [`${MARK[step.status]} ${step.step.padEnd(10)} ${step.summary}`];
  for (const finding of step.findings) lines.push(...formatFinding(finding, { color, onlyFindings: false }));
  return lines.join('\n');
}

export function verdictText(verdict: CheckVerdict): string {
  return `\nverdict: ${verdict.verdict.toUpperCase()} (exit ${verdict.exitCode}) — ${verdict.summary}`;
}

/** Replaces every occurrence of the secrets (defence in depth: nothing should contain them). */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
