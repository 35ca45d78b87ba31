import { Writable } from 'node:stream';
import { createLogger } from '../../src/sinks/logger';

/** The real JSON logger (its output redaction and all) writing into memory: what a log file would hold. */
export function memoryLogger() {
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const { logger } = createLogger({ format: 'json', destination });
  return { logger, text: () => text };
}
