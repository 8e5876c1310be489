// Vite builds the app into dist/ (served by the hub at /); Vitest runs tests/*.test.ts in Node.
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
