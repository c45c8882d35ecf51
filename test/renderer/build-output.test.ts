import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const outputDir = join(repositoryRoot, 'build', 'renderer');
const maxInitialScriptGzipBytes = 150 * 1024;

let indexHtml = '';

// The build takes about a second, so it runs here rather than only in the end-to-end suite.
// vitest sets NODE_ENV=test, which would make vite bundle React's development build; the end-to-end
// suite then loads this same folder, so it must be the production build users get.
beforeAll(() => {
  const build = spawnSync('npm', ['run', '--silent', 'build:renderer'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) {
    throw new Error(`npm run build:renderer failed with status ${build.status}:\n${build.stdout}\n${build.stderr}`);
  }
  indexHtml = readFileSync(join(outputDir, 'index.html'), 'utf8');
}, 120_000);

describe('renderer build output', () => {
  it('has no inline script body', () => {
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];

    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe('');
    }
  });

  it('has no inline styles or event handlers', () => {
    expect(indexHtml).not.toMatch(/\sstyle\s*=/i);
    expect(indexHtml).not.toMatch(/<style\b/i);
    expect(indexHtml).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('carries the CSP meta tag', () => {
    expect(indexHtml).toMatch(/<meta\s+http-equiv="Content-Security-Policy"/);
    expect(indexHtml).toContain("script-src 'self'");
    expect(indexHtml).toContain("style-src 'self'");
  });

  it('loads assets by relative URL', () => {
    const assetUrls = [...indexHtml.matchAll(/\s(?:src|href)="([^"]+)"/g)]
      .map((match) => match[1] ?? '')
      .filter((url) => !url.startsWith('data:'));

    expect(assetUrls.length).toBeGreaterThan(0);
    for (const url of assetUrls) {
      expect(url).toMatch(/^\.\/assets\//);
    }
  });

  it('ships no source maps', () => {
    const files = readdirSync(outputDir, { recursive: true, encoding: 'utf8' });
    const scripts = files.filter((file) => file.endsWith('.js'));

    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const script of scripts) {
      expect(readFileSync(join(outputDir, script), 'utf8')).not.toContain('sourceMappingURL');
    }
  });

  it('keeps the initial JavaScript under 150 KB gzipped', () => {
    const initialScripts = [...indexHtml.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="\.\/([^"]+\.js)"/g)].map(
      (match) => match[1] ?? '',
    );
    const gzipBytes = initialScripts
      .map((file) => gzipSync(readFileSync(join(outputDir, file))).byteLength)
      .reduce((total, bytes) => total + bytes, 0);

    expect(initialScripts.length).toBeGreaterThan(0);
    expect(initialScripts.every((file) => existsSync(join(outputDir, file)))).toBe(true);
    expect(gzipBytes).toBeLessThan(maxInitialScriptGzipBytes);
  });
});
