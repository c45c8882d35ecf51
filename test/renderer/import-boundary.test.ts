import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const rendererSourceDir = join(repositoryRoot, 'renderer', 'src');
const sharedDir = join(repositoryRoot, 'electron', 'shared');
const allowedDirs = [join(repositoryRoot, 'renderer'), sharedDir];

// The renderer runs sandboxed in a browser page, so besides its own files and the shared
// contract it may use only these browser-side packages.
const allowedPackages = ['react', 'react-dom', 'zustand'];

describe('renderer import boundary', () => {
  it('imports only renderer files, the shared contract and browser packages', () => {
    const violations = findImports(rendererSourceDir).filter((found) => !isAllowedImport(found));

    expect(violations).toEqual([]);
  });

  it('scans the renderer sources', () => {
    const files = findImports(rendererSourceDir).map((found) => found.file);

    expect(files).toContain(join('renderer', 'src', 'stores', 'sign-in-store.ts'));
    expect(files).toContain(join('renderer', 'src', 'bridge', 'get-bridge.ts'));
  });

  it('keeps the shared contract free of imports from elsewhere', () => {
    const outside = findImports(sharedDir).filter((found) => !isInside(found.resolvedPath, sharedDir));

    expect(outside).toEqual([]);
  });

  it('leaves the bridge global to get-bridge.ts', () => {
    const readers = listSourceFiles(rendererSourceDir)
      .filter((file) => /\bbridgeGlobalName\b|window\.clinicgate\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repositoryRoot, file));

    expect(readers).toEqual([join('renderer', 'src', 'bridge', 'get-bridge.ts')]);
  });
});

function findImports(dir: string): FoundImport[] {
  return listSourceFiles(dir).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return info.importedFiles.map((imported) => ({
      file: relative(repositoryRoot, file),
      specifier: imported.fileName,
      resolvedPath: imported.fileName.startsWith('.') ? resolve(dirname(file), imported.fileName) : null,
    }));
  });
}

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function isAllowedImport(found: FoundImport): boolean {
  if (found.resolvedPath !== null) {
    return allowedDirs.some((dir) => isInside(found.resolvedPath, dir));
  }
  return allowedPackages.some((name) => found.specifier === name || found.specifier.startsWith(`${name}/`));
}

function isInside(path: string | null, dir: string): boolean {
  return path !== null && (path === dir || path.startsWith(`${dir}${sep}`));
}

interface FoundImport {
  file: string;
  specifier: string;
  /** Absolute path of a relative import, or null for a package import. */
  resolvedPath: string | null;
}
