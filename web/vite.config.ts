/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Rust server (`webchat serve`, default 127.0.0.1:8000) during `npm run dev`.
const BACKEND = process.env.WEBCHAT_BACKEND ?? 'http://127.0.0.1:8000';

// The server refuses WebSocket upgrades and cookie-authenticated writes whose
// Origin is not its own (CSWSH and CSRF protection), so the proxy presents the
// backend's origin on both.
type ProxyRequest = { setHeader: (k: string, v: string) => void; getHeader: (k: string) => unknown };
const proxy = {
  target: BACKEND,
  changeOrigin: true,
  ws: true,
  configure: (p: { on: (ev: 'proxyReqWs' | 'proxyReq', fn: (req: ProxyRequest) => void) => void }) => {
    p.on('proxyReqWs', (req) => req.setHeader('origin', BACKEND));
    p.on('proxyReq', (req) => {
      if (req.getHeader('origin') !== undefined) req.setHeader('origin', BACKEND);
    });
  },
};

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': proxy,
      '/ws': proxy,
      '/healthz': { target: BACKEND, changeOrigin: true },
    },
  },
  // `vite preview` proxies the same way as the dev server (the end-to-end
  // tests serve the current web/dist with it: e2e/start-server.mjs).
  preview: {
    proxy: {
      '/api': proxy,
      '/ws': proxy,
      '/healthz': { target: BACKEND, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./src/test/setup.ts'],
    restoreMocks: true,
  },
});
