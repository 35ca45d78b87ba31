import type { Finding } from './finding';

/**
 * A log line about the traffic as a whole (src/diagnosis/traffic): not one exchange but a cause
 * seen across several, or an absence. Written when the cause starts and again when it clears.
 */
export interface TrafficLogLine {
  msg: string;
  traffic: {
    state: 'fired' | 'cleared';
    /** Stable key of the cause: the finding fires once per key. */
    cause: string;
    firedAt: string;
    clearedAt?: string;
  };
  /** Exactly one finding (severity info when cleared), in the shape exchange lines use. */
  findings: Finding[];
}
