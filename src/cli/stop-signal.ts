/** A stop asked for with SIGINT or SIGTERM; `dispose` removes the listeners. */
export interface StopSignal {
  readonly requested: Promise<void>;
  dispose(): void;
}

/**
 * SIGINT and SIGTERM, listened for from the start of a long-running command. Node as PID 1 (the
 * image's ENTRYPOINT) ignores a signal it has no handler for, so a stop during start-up (creating
 * the CA takes seconds) was lost, and the runtime's SIGKILL ended the proxy later (exit 137, the
 * log unflushed). A stop asked for early now ends the command as soon as it is up.
 */
export function stopSignal(): StopSignal {
  let resolve!: () => void;
  const requested = new Promise<void>((r) => (resolve = r));
  const stop = () => resolve();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    requested,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
