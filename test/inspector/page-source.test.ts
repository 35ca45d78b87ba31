import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The page makes elements only through web/src/dom.ts: no markup from strings, no other origin. */
describe('the page sources', () => {
  const dir = path.join(__dirname, '..', '..', 'web', 'src');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('never turn a string into markup', () => {
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect([
        file,
        text.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/g),
      ]).toEqual([file, null]);
    }
  });

  it('load nothing from another origin', () => {
    const html = readFileSync(path.join(dir, '..', 'index.html'), 'utf8');
    const css = readFileSync(path.join(dir, '..', 'app.css'), 'utf8');
    expect(html.match(/(src|href)="([^"]+)"/g)?.every((a) => /="\/inspector\//.test(a))).toBe(true);
    expect(css).not.toMatch(/url\(|@import/);
    for (const file of files)
      expect([file, readFileSync(path.join(dir, file), 'utf8').match(/https?:\/\//g)]).toEqual([file, null]);
  });
});
