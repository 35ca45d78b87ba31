import { asRecord } from './body';
import { maskGuidsInText } from './mask';

import type { IngestionItemError, IngestionResponse } from '../model/log-line';

export type { IngestionItemError, IngestionResponse };

/** Per-item errors kept in the analysis; the rest are only counted. */
const MAX_ERRORS = 50;
const MAX_MESSAGE = 300;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads `{itemsReceived, itemsAccepted, appId, errors[]}`; undefined when the body is not that shape. */
export function parseIngestionResponse(
  document: unknown,
): (IngestionResponse & { errorCount: number }) | undefined {
  const body = asRecord(document);
  if (!body) return undefined;
  if (!('itemsReceived' in body) && !('itemsAccepted' in body) && !Array.isArray(body.errors))
    return undefined;
  const rawErrors = Array.isArray(body.errors) ? body.errors : [];
  const errors: IngestionItemError[] = [];
  for (const raw of rawErrors.slice(0, MAX_ERRORS)) {
    const e = asRecord(raw);
    if (!e) continue;
    const item: IngestionItemError = {};
    const index = num(e.index);
    const statusCode = num(e.statusCode);
    if (index !== undefined) item.index = index;
    if (statusCode !== undefined) item.statusCode = statusCode;
    if (typeof e.message === 'string') item.message = maskGuidsInText(e.message.slice(0, MAX_MESSAGE));
    errors.push(item);
  }
  const result: IngestionResponse & { errorCount: number } = { errors, errorCount: rawErrors.length };
  const received = num(body.itemsReceived);
  const accepted = num(body.itemsAccepted);
  if (received !== undefined) result.itemsReceived = received;
  if (accepted !== undefined) result.itemsAccepted = accepted;
  if (typeof body.appId === 'string' || body.appId === null) result.appId = body.appId;
  return result;
}
