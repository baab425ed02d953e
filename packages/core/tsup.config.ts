import path from 'node:path'
import { defineConfig, type Options } from 'tsup'

// Maps point at the shipped src/ (package.json `files`) rather than embedding it a second and
// third time (ESM and CommonJS): stack frames and debuggers open real files.
const sourceMaps: Pick<Options, 'sourcemap' | 'esbuildOptions'> = {
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
}

/**
 * The Workers bundle links each runtime module that has a `-workerd` twin in its place
 * (`runtime/streams.ts` → `runtime/streams-workerd.ts`, the same for `diagnostics-channel`).
 */
const workerdModules = {
  name: 'workerd-runtime-modules',
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; resolveDir: string }) => { path: string },
    ): void
  }) {
    build.onResolve({ filter: /(^|\/)(streams|diagnostics-channel)\.js$/ }, (args) => ({
      path: path.join(args.resolveDir, args.path.replace(/\.js$/, '-workerd.ts')),
    }))
  },
}

export default defineConfig([
  {
    // The pg value mapping is a subpath of its own (`@tusk/core/pg`): the main entry never loads it.
    entry: { index: 'src/index.ts', pg: 'src/pg/index.ts' },
    format: ['esm', 'cjs'],
    // `@internal` members (the request pump, the cancel key, hooks between layers) stay out of the
    // published declarations; scripts/api-report.mjs checks what is left.
    dts: { compilerOptions: { stripInternal: true } },
    ...sourceMaps,
    clean: true,
    target: 'node20',
    platform: 'node',
    keepNames: true,
  },
  {
    // Cloudflare Workers (`workerd` condition): one self-contained ES module. `platform: 'neutral'`
    // knows no Node built-ins, so any `node:` import reaching this bundle fails the build.
    entry: { workerd: 'src/workerd.ts' },
    format: ['esm'],
    dts: false,
    ...sourceMaps,
    clean: false,
    target: 'es2022',
    platform: 'neutral',
    external: ['cloudflare:sockets'],
    esbuildPlugins: [workerdModules],
    keepNames: true,
  },
])
