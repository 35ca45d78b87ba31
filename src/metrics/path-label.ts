import { BoundedLabels } from './bounded-labels';

/**
 * The `path` label of the exchange metrics: bounded cardinality. Query strings go, and segments
 * that identify a tenant, a resource or an instrumentation key (GUIDs, masked iKeys, long hex or
 * digit runs) become ":id", so /api/profiles/<ikey>/appId is one series for every key.
 */
const ID_SEGMENT =
  /^(?:[0-9a-f]{8}-[0-9a-f*]{4}-[0-9a-f*]{4}-[0-9a-f*]{4}-[0-9a-f*]{12}|[0-9a-f]{16,}|\d{4,})$/i;

/** Past this many distinct paths, new ones are counted as "other" (a scan must not grow memory). */
export const MAX_PATHS = 200;

export class PathLabels {
  private readonly paths = new BoundedLabels(MAX_PATHS);

  label(path: string): string {
    const bare = path.split('?')[0] ?? '';
    const normal =
      bare
        .split('/')
        .map((s) => (ID_SEGMENT.test(s) ? ':id' : s))
        .join('/')
        .slice(0, 120) || '/';
    return this.paths.label(normal);
  }
}
