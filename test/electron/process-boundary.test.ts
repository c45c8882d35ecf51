import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Matches `from 'electron'`, `import 'electron'`, `require('electron')` and `import('electron')`, subpaths too. */
const electronImport = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]electron(?:\/[^'"]*)?['"]/;

async function listSourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(path.join(repositoryRoot, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('process boundary', () => {
  it.each(['electron/agent', 'electron/browser-shell'])('keeps %s free of electron imports', async (folder) => {
    const files = await listSourceFiles(folder);

    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(electronImport.test(text), `${path.relative(repositoryRoot, file)} imports electron`).toBe(false);
    }
  });

  it('recognizes an electron import', () => {
    expect(electronImport.test("import { app } from 'electron';")).toBe(true);
    expect(electronImport.test('const { app } = require("electron");')).toBe(true);
    expect(electronImport.test("await import('electron/main')")).toBe(true);
    expect(electronImport.test("import pino from 'pino'; // electron")).toBe(false);
  });

  it('lets the preload import only electron and the shared contract', async () => {
    const text = await readFile(path.join(repositoryRoot, 'electron/preload/preload.ts'), 'utf8');

    const specifiers = [...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);

    expect(specifiers.sort()).toEqual(['../shared/bridge', 'electron']);
  });
});
