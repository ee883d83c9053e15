import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// `make web-dev`: the API of the running `make demo` (its stack.json), under /api like in
// production, with the prefix stripped before it reaches the API Gateway emulation.
function apiTarget(): string {
  if (process.env.API_URL) return process.env.API_URL
  const stateDir = process.env.LOCAL_STATE_DIR ?? resolve(import.meta.dirname, '..', '.local')
  try {
    return JSON.parse(readFileSync(resolve(stateDir, 'stack.json'), 'utf8')).api_url
  } catch {
    return 'http://127.0.0.1:8000'
  }
}

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/api': { target: apiTarget(), changeOrigin: true, rewrite: (path) => path.replace(/^\/api/, '') },
    },
  },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 600 },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
})
