import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allGuidance } from '../../src/diagnosis';
import { catalogMarkdown } from '../../src/diagnosis/catalog-markdown';

describe('docs/findings.md', () => {
  it('is the current catalog (run `npm run docs:findings` after changing it)', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/findings.md'), 'utf8');
    expect(doc).toBe(catalogMarkdown(allGuidance()));
  });

  it('documents every id with its fix steps and Learn links', () => {
    const doc = catalogMarkdown(allGuidance());
    for (const entry of allGuidance()) {
      expect(doc).toContain(`## ${entry.id}`);
      expect(entry.fix.length).toBeGreaterThan(0);
      expect(entry.learnMore.some((l) => l.url.startsWith('https://learn.microsoft.com/'))).toBe(true);
    }
  });
});
