import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOG, FIX_ORDER, allowedSeverities, fixRank } from '../../src/diagnosis/catalog';
import { FIX_STAGES, inFixOrder } from '../../src/diagnosis/catalog/order';
import { TRANSIENT_STATUSES } from '../../src/diagnosis/patterns';
import { FINDING_IDS, RULES, RULE_FINDING_IDS, allGuidance, lookupGuidance } from '../../src/diagnosis';

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('guidance catalog', () => {
  it('has exactly one entry per id a rule can emit, and no other', () => {
    const catalogIds = CATALOG.map((e) => e.id);
    expect(new Set(catalogIds).size).toBe(catalogIds.length);
    expect(sorted(catalogIds)).toEqual(sorted(RULE_FINDING_IDS));
    expect(sorted(FINDING_IDS)).toEqual(sorted(RULE_FINDING_IDS));
  });

  it('every rule declares what it emits', () => {
    for (const rule of RULES)
      expect({ rule: rule.name, emits: rule.emits.length > 0 }).toEqual({ rule: rule.name, emits: true });
  });

  it.each(CATALOG.map((e) => [e.id, e] as const))(
    '%s has a Learn link, fix steps and every section',
    (_id, entry) => {
      expect(entry.learnMore.some((l) => l.url.startsWith('https://learn.microsoft.com/'))).toBe(true);
      for (const l of entry.learnMore) {
        expect(l.title.length).toBeGreaterThan(0);
        expect(l.url).toMatch(/^https:\/\//);
      }
      expect(entry.fix.length).toBeGreaterThan(0);
      for (const text of [entry.title, entry.symptom, entry.why, entry.detection, ...entry.fix])
        expect(text.trim().length).toBeGreaterThan(10);
      for (const steps of Object.values(entry.fixByRuntime ?? {})) expect(steps.length).toBeGreaterThan(0);
      expect(['info', 'warning', 'error']).toContain(entry.severity);
    },
  );

  it('allGuidance returns the whole catalog', () => {
    expect(allGuidance().map((e) => e.id)).toEqual(CATALOG.map((e) => e.id));
  });
});

describe('lookupGuidance', () => {
  const ids = (q: string) => lookupGuidance(q).map((e) => e.id);

  it('finds an entry by id, in any case', () => {
    expect(ids('TOKEN_MISSING')).toEqual(['TOKEN_MISSING']);
    expect(ids('token_missing')).toEqual(['TOKEN_MISSING']);
  });

  it('finds entries by HTTP status', () => {
    expect(ids('403')).toEqual(
      expect.arrayContaining(['ROLE_MISSING', 'ENTRA_ONLY_RESOURCE_V2_PATH', 'LIVE_METRICS_UNAUTHORIZED']),
    );
    expect(ids('401')).toEqual(expect.arrayContaining(['TOKEN_MISSING', 'TOKEN_REJECTED']));
    expect(ids('400')).toEqual(expect.arrayContaining(['TOKEN_MISSING', 'TOKEN_SENT_TO_V2_PATH']));
    expect(ids('400')).toEqual(
      expect.arrayContaining(['ENTRA_ONLY_RESOURCE_V2_PATH', 'INVALID_INSTRUMENTATION_KEY']),
    );
    expect(ids('403')).not.toContain('TOKEN_MISSING');
  });

  it('finds entries by AADSTS code, with or without the prefix', () => {
    expect(ids('AADSTS700016')).toEqual(['ENTRA_APP_NOT_FOUND']);
    expect(ids('700016')).toEqual(['ENTRA_APP_NOT_FOUND']);
    expect(ids('aadsts7000222')).toEqual(['ENTRA_CLIENT_SECRET_EXPIRED']);
    expect(ids('500011')).toEqual(['ENTRA_INVALID_SCOPE']);
    expect(ids('AADSTS50126')).toEqual(['ENTRA_TOKEN_ERROR']);
  });

  it('falls back to ids containing the words', () => {
    expect(ids('upstream')).toEqual(['UPSTREAM_UNREACHABLE', 'UPSTREAM_TLS_FAILED', 'UPSTREAM_TIMEOUT']);
    expect(ids('role-missing')).toEqual(['ROLE_MISSING']);
  });

  // Issue 11 item 6: `explain 401` / `explain 403` are about an ingestion answer, so the /v2.1/track
  // token and role entries come first, then /v2/track, live metrics and the token endpoints.
  it.each([
    [
      '401',
      [
        'TOKEN_MISSING',
        'TOKEN_MALFORMED',
        'TOKEN_EXPIRED',
        'TOKEN_WRONG_AUDIENCE',
        'TOKEN_REJECTED',
        'ENTRA_ONLY_RESOURCE_V2_PATH',
        'TOKEN_SENT_TO_V2_PATH',
        'LIVE_METRICS_UNAUTHORIZED',
        'ENTRA_INVALID_CLIENT_SECRET',
        'ENTRA_CLIENT_SECRET_EXPIRED',
        'ENTRA_TOKEN_ERROR',
        // findings across exchanges that can stand behind a 401: after every single-exchange entry
        'TOKEN_REQUEST_NOT_SEEN',
        'TOKEN_USED_AFTER_EXPIRY',
      ],
    ],
    [
      '403',
      [
        'TOKEN_EXPIRED',
        'TOKEN_WRONG_AUDIENCE',
        'ROLE_MISSING',
        'ENTRA_ONLY_RESOURCE_V2_PATH',
        'TOKEN_SENT_TO_V2_PATH',
        'LIVE_METRICS_UNAUTHORIZED',
        'ENTRA_TOKEN_ERROR',
      ],
    ],
  ])('explain %s lists the /v2.1/track token and role entries first', (status, expected) => {
    expect(ids(status)).toEqual(expected);
    const entries = lookupGuidance(status);
    const firstOther = entries.findIndex((e) => e.answeredBy !== 'track-v2.1');
    expect(entries.slice(firstOther).every((e) => e.answeredBy !== 'track-v2.1')).toBe(true);
  });

  it('a status no entry has: nothing (negative case)', () => {
    expect(ids('418')).toEqual([]);
    expect(ids('401')).not.toContain('ROLE_MISSING');
  });

  it('returns nothing for nonsense', () => {
    expect(ids('')).toEqual([]);
    expect(ids('no such thing')).toEqual([]);
  });
});

describe('one order and one set of severities, stated in the catalog (issue 11 item 9)', () => {
  it('the catalog is in fix order: stages never go backwards', () => {
    const stages = CATALOG.map((e) => FIX_STAGES.indexOf(e.stage));
    expect(stages.every((s) => s >= 0)).toBe(true);
    expect([...stages].sort((a, b) => a - b)).toEqual(stages);
    expect(FIX_ORDER).toEqual(CATALOG.map((e) => e.id));
  });

  it('fixRank follows the fix order and puts unknown ids last', () => {
    expect(fixRank('CLIENT_DOES_NOT_TRUST_PROXY_CA')).toBeLessThan(fixRank('ENTRA_APP_NOT_FOUND'));
    expect(fixRank('ENTRA_APP_NOT_FOUND')).toBeLessThan(fixRank('ENTRA_ONLY_RESOURCE_V2_PATH'));
    expect(fixRank('ENTRA_ONLY_RESOURCE_V2_PATH')).toBeLessThan(fixRank('TOKEN_MISSING'));
    expect(fixRank('TOKEN_MISSING')).toBeLessThan(fixRank('ROLE_MISSING'));
    expect(fixRank('ROLE_MISSING')).toBeLessThan(fixRank('PARTIAL_ACCEPTANCE'));
    expect(fixRank('NOT_AN_ID')).toBe(CATALOG.length);
  });

  it('a new catalog entry needs only its own stage to find its place', () => {
    const entries = [
      { id: 'B', stage: 'delivery' as const },
      { id: 'A', stage: 'proxy-trust' as const },
      { id: 'C', stage: 'delivery' as const },
    ];
    expect(inFixOrder(entries).map((e) => e.id)).toEqual(['A', 'B', 'C']);
  });

  it('severity overrides are declared: a rule cannot invent one', () => {
    for (const entry of CATALOG) {
      for (const c of entry.severityCases ?? []) {
        expect(c.severity).not.toBe(entry.severity);
        expect(c.when.length).toBeGreaterThan(10);
      }
      expect(allowedSeverities(entry)[0]).toBe(entry.severity);
    }
  });

  it('no second order list is left in the report', () => {
    const report = readFileSync(path.resolve(__dirname, '../../src/sinks/report.ts'), 'utf8');
    expect(report).not.toMatch(/STAGE_ORDER/);
    expect(report).toContain('fixRank');
    const rules = readFileSync(path.resolve(__dirname, '../../src/diagnosis/rules/index.ts'), 'utf8');
    expect(rules).toContain('Their order does not matter');
  });
});

describe('catalog texts agree with the rules and the facts', () => {
  const entry = (id: string) => CATALOG.find((e) => e.id === id)!;

  it('INGESTION_SERVER_ERROR names the statuses the rule matches, not every 5xx', () => {
    const text = entry('INGESTION_SERVER_ERROR').detection;
    for (const status of TRANSIENT_STATUSES) expect(text).toContain(String(status));
    expect(text).not.toMatch(/^Status 408 or 5xx/);
  });

  // ingestion-facts.md §4.1: the JavaScript exporter's scope has one slash.
  it('TOKEN_WRONG_AUDIENCE does not say every SDK asks for the double-slash scope', () => {
    expect(entry('TOKEN_WRONG_AUDIENCE').fix.join(' ')).toContain('`https://monitor.azure.com/.default`');
  });

  // The article's JVM flags; ingestion-facts.md §7: HTTPS_PROXY counts only with useSystemProxies=true.
  it("NO_TELEMETRY gives the Java agent the article's JVM flags and does not say it ignores HTTPS_PROXY", () => {
    const java = entry('NO_TELEMETRY').fixByRuntime?.java?.join(' ') ?? '';
    expect(java).toContain(
      '-Djava.net.useSystemProxies=true -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8888',
    );
    expect(java).not.toContain('ignores HTTPS_PROXY');
  });
});
