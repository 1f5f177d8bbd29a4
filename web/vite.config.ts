import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The build lands in web/dist, which the hub embeds (src/AgentIM/AgentIM.csproj). Hashed file names under
// assets/ let the hub serve them as immutable; index.html is the only file that must be revalidated.
export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The hub's production CSP allows scripts from 'self' only: nothing may be inlined into index.html.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/uploads': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
