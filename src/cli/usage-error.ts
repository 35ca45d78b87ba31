// The error type lives with the records so that lower layers (proxy options) can raise it too.
export { UsageError } from '../model/usage-error';
