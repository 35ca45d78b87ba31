import { CATALOG } from '../../src/diagnosis/catalog';
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

  it('returns nothing for nonsense', () => {
    expect(ids('')).toEqual([]);
    expect(ids('no such thing')).toEqual([]);
  });
});
