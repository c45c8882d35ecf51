import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));
const outputDir = fileURLToPath(new URL('../build/renderer', import.meta.url));

// NOTE: the dev server (`vite`) cannot show this page. The CSP meta tag in index.html blocks the
// inline Fast Refresh preamble that plugin-react adds and the <style> elements Vite uses for CSS
// in development. Build with `npm run build:renderer` and open it through the browser shell or Electron.
export default defineConfig({
  root: rendererRoot,
  // Relative asset URLs, so the same build loads from Electron's app:// protocol and the browser shell.
  base: './',
  plugins: [react()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: outputDir,
    emptyOutDir: true,
    sourcemap: false,
    // Keep every asset a separate file, because the CSP blocks data: URLs for everything but images.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
