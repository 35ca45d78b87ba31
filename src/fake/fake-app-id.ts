import { isKnownIkey } from './envelope-validation';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { textResponse } from './responses';
import { envelopeRulesOf, type IngestionSettings } from './settings';

const APP_ID_PATH = /^\/+api\/profiles\/([^/]+)\/appId\/?$/i;

export function isAppIdPath(path: string): boolean {
  return APP_ID_PATH.test(path);
}

/** GET /api/profiles/{ikey}/appId: the application id as plain text (.NET 2.x, old Java). */
export function handleAppIdLookup(req: FakeRequest, settings: IngestionSettings): FakeResponse {
  let ikey = APP_ID_PATH.exec(req.path)?.[1] ?? '';
  try {
    ikey = decodeURIComponent(ikey);
  } catch {
    /* keep raw */
  }
  if (!isKnownIkey(ikey, envelopeRulesOf(settings))) {
    return textResponse('ingestion', 400, 'Invalid instrumentation key', 'appId lookup for an unknown key');
  }
  return textResponse('ingestion', 200, settings.appId, 'appId lookup');
}
