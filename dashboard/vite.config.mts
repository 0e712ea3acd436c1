// The reference dashboard: `npm run build:dashboard` (or `npm start`, which builds when needed)
// writes dashboard/dist, which the gateway serves at `/`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Nothing inlined as data: URLs into scripts; one small CSS file.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `npx vite dashboard` during dashboard development: the gateway answers the API.
    proxy: { '/graphql': 'http://127.0.0.1:4000', '/dev': 'http://127.0.0.1:4000' },
  },
});
