/** A mistake in how the tool was called or configured: exit code 2 and a clear message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
