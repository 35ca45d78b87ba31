import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The page's built files (`npm run build` writes them to dist/web), read once. */
export interface PageAsset {
  type: string;
  body: Buffer;
}

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/inspector/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/inspector/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/inspector/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

/** dist/web, from src/inspector (tests) and dist/inspector (the package) alike. */
export const PAGE_DIR = path.join(__dirname, '..', '..', 'dist', 'web');

export function loadPageAssets(dir: string = PAGE_DIR): Map<string, PageAsset> | { missing: string } {
  const assets = new Map<string, PageAsset>();
  for (const [route, { file, type }] of Object.entries(FILES)) {
    try {
      assets.set(route, { type, body: readFileSync(path.join(dir, file)) });
    } catch {
      return { missing: path.join(dir, file) };
    }
  }
  return assets;
}
