import type { CheckVerdict, StepResult } from './types';

/** 0 all good, 1 warnings, 3 blocked (2, a usage error, never gets this far). */
export function verdictOf(steps: StepResult[]): CheckVerdict {
  const failed = steps.filter((s) => s.status === 'failed');
  if (failed.length > 0) {
    const first = failed[0]!;
    const finding = first.findings.find((f) => f.severity === 'error') ?? first.findings[0];
    return {
      verdict: 'blocked',
      exitCode: 3,
      summary: `BLOCKED at ${first.step}${finding ? `: ${finding.id}` : ''}: ${first.summary}`,
    };
  }
  const warnings = steps.filter((s) => s.status === 'warning');
  if (warnings.length > 0) {
    return {
      verdict: 'warnings',
      exitCode: 1,
      summary: `works, with ${warnings.length} warning(s): ${warnings.map((w) => w.step).join(', ')}`,
    };
  }
  return { verdict: 'ok', exitCode: 0, summary: 'telemetry with this configuration is accepted' };
}
