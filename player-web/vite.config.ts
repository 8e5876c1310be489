// Vite builds the app into dist/ (served by the hub at /); Vitest runs tests/*.test.ts in Node.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The watch and replay pages need hls.js and the stream's master playlist before anything can
// play, but hls.js is loaded lazily so the home page does not pay for it. A few bytes of inline
// script in index.html start fetching (and compiling) hls.js together with the app on those
// two paths only, and ask for the master playlist at once (the hub lets it be cached for 2 s,
// so hls.js gets it from the cache): the first frame comes sooner (docs/benchmarks.md).
function preloadPlayerOnPlayerPages(): Plugin {
  return {
    name: 'hub-preload-player',
    apply: 'build',
    writeBundle(options, bundle) {
      const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.name === 'hls.light');
      if (!chunk || !options.dir) throw new Error('hub-preload-player: no hls.light chunk in the build');
      const file = join(options.dir, 'index.html');
      const href = '/' + chunk.fileName;
      const script =
        `<script>(function(m){if(!m)return;` +
        `document.head.appendChild(Object.assign(document.createElement('link'),{rel:'modulepreload',href:'${href}'}));` +
        `try{fetch((m[1]=='watch'?'/live/':'/vod/')+m[2]+'/master.m3u8').catch(function(){})}catch(e){}` +
        `})(/^\\/(watch|replay)\\/([^/]+)\\/?$/.exec(location.pathname))</script>`;
      const html = readFileSync(file, 'utf8');
      if (!html.includes('<script type="module"')) throw new Error('hub-preload-player: no module script in index.html');
      writeFileSync(file, html.replace('<script type="module"', script + '\n    <script type="module"'));
    },
  };
}

export default defineConfig({
  plugins: [preloadPlayerOnPlayerPages()],
  build: {
    target: ['es2019', 'safari13', 'chrome79'],
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/live': 'http://127.0.0.1:8080',
      '/vod': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});
