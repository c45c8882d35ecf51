import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let outdir: string;

beforeAll(async () => {
  outdir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-build-'));
  await promisify(execFile)(process.execPath, ['scripts/build-electron.mjs', '--outdir', outdir], { cwd: repositoryRoot });
});

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

function listRequires(bundle: string): string[] {
  return [...new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1] ?? ''))].sort();
}

describe('build-electron', () => {
  it('bundles the preload into one file that requires only electron', async () => {
    const preload = await readFile(path.join(outdir, 'preload.cjs'), 'utf8');

    expect(listRequires(preload)).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('keeps native modules out of the main bundle', async () => {
    const main = await readFile(path.join(outdir, 'main.cjs'), 'utf8');
    const required = listRequires(main);

    expect(required).toContain('electron');
    expect(required).toContain('keytar');
    expect(required).toContain('node-machine-id');
    expect(main).not.toMatch(/\bimport\("keytar"\)/);
  });
});
