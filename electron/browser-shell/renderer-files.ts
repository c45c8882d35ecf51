import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content Security Policy for every renderer page, in the browser shell and in the Electron
 * window: only the app's own scripts, styles and connections, no plugins, frames or forms.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every response that carries renderer content or bridge results. */
export const rendererSecurityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Resolves a URL path to a regular file inside the built renderer folder, or null. `/` means
 * `index.html`. Folders are never listed, and a path that leaves the folder, by `..`, an
 * encoded separator or a symbolic link, resolves to null.
 */
export async function resolveRendererFile(rendererDir: string, urlPath: string): Promise<RendererFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) {
    return null;
  }
  const segments = decoded.split('/').slice(1);
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    return null;
  }

  const relativePath = decoded === '/' ? 'index.html' : segments.join(path.sep);
  let rootPath: string;
  let filePath: string;
  try {
    rootPath = await realpath(rendererDir);
    filePath = await realpath(path.join(rootPath, relativePath));
  } catch {
    return null;
  }
  if (!filePath.startsWith(rootPath + path.sep)) {
    return null;
  }

  const stats = await stat(filePath);
  if (!stats.isFile()) {
    return null;
  }
  const contentType = contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  return { filePath, contentType, size: stats.size };
}

export interface RendererFile {
  filePath: string;
  contentType: string;
  size: number;
}
