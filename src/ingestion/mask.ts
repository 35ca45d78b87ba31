import { maskIkey } from './redact';

const GUID_IN_TEXT = /\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b/gi;

/**
 * Masks every GUID in a short text from the ingestion service (reason phrase, per-item message):
 * the only GUID such texts hold is an instrumentation key. Not for Entra ID texts, whose GUIDs are
 * tenant and client ids that the user needs to see.
 */
export function maskGuidsInText(text: string): string {
  return text.replace(GUID_IN_TEXT, (g) => maskIkey(g));
}
