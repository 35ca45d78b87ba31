import type { RequestKind } from '../../ingestion/classify';

/** Requests that carry an ingestion token (as opposed to requests that obtain one). */
export const TOKEN_BEARING_KINDS: readonly RequestKind[] = [
  'track-v2',
  'track-v2.1',
  'statsbeat',
  'live-ping',
  'live-post',
  'profiler',
  'appid-lookup',
];

/** The app's own telemetry and live metrics (statsbeat excluded: not the app's concern). */
export const APP_TELEMETRY_KINDS: readonly RequestKind[] = [
  'track-v2',
  'track-v2.1',
  'live-ping',
  'live-post',
];
export const APP_TRACK_KINDS: readonly RequestKind[] = ['track-v2', 'track-v2.1'];
