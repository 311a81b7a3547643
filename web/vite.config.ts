/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// 构建后为 dist/ 中的文本资源生成 .br 与 .gz（最高压缩级别），由 nginx gzip_static 或 lep 按
// Accept-Encoding 直接发送，慢速手机网络上首屏更快。
function precompress() {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? walk(p) : [p]
    })
  return {
    name: 'lep-precompress',
    apply: 'build' as const,
    closeBundle() {
      for (const file of walk(fileURLToPath(new URL('./dist', import.meta.url)))) {
        if (!/\.(js|mjs|css|html|svg|json|txt)$/.test(file)) continue
        const raw = readFileSync(file)
        if (raw.length < 1024) continue
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }))
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        )
      }
    },
  }
}

// 开发时把 /api 与 /healthz 代理到本机运行的 lep（默认 127.0.0.1:8080，可用 LEP_DEV_API 覆盖）。
const apiTarget = process.env.LEP_DEV_API || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [vue(), precompress()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // CSP 不允许内联脚本：禁止把小资源内联为 data: 脚本（图片 data: 允许，但保持简单）。
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts'],
    css: false,
    server: { deps: { inline: ['element-plus'] } },
  },
})
