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
 * A bundle without `node:` modules links a twin in place of each runtime module that imports one:
 * `runtime/streams.ts` → `runtime/streams-<streams>.ts` (stream adapters that refuse, naming the
 * runtime), `runtime/diagnostics-channel.ts` → `runtime/diagnostics-channel-workerd.ts` (looks
 * `node:diagnostics_channel` up at run time, never imports it).
 */
function neutralModules(streams: 'workerd' | 'default') {
  return {
    name: `${streams}-runtime-modules`,
    setup(build: {
      onResolve(
        options: { filter: RegExp },
        callback: (args: { path: string; resolveDir: string }) => { path: string },
      ): void
    }) {
      build.onResolve({ filter: /(^|\/)(streams|diagnostics-channel)\.js$/ }, (args) => ({
        path: path.join(
          args.resolveDir,
          args.path.replace(
            /\.js$/,
            args.path.endsWith('streams.js') ? `-${streams}.ts` : '-workerd.ts',
          ),
        ),
      }))
    },
  }
}

export default defineConfig([
  {
    // The pg value mapping is a subpath of its own (`@tusk/core/pg`): the main entry never loads it.
    // Bun and Deno have entries of their own (`bun`, `deno` conditions) over the same Node modules.
    entry: { index: 'src/index.ts', pg: 'src/pg/index.ts', bun: 'src/bun.ts', deno: 'src/deno.ts' },
    format: ['esm', 'cjs'],
    // `@internal` members (the request pump, the cancel key, hooks between layers) stay out of the
    // published declarations; scripts/api-report.mjs checks what is left. Bun and Deno use the
    // Node entry's declarations (same API); scripts/neutral-dts.mjs derives the workerd/default ones.
    dts: {
      entry: { index: 'src/index.ts', pg: 'src/pg/index.ts' },
      compilerOptions: { stripInternal: true },
    },
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
    esbuildPlugins: [neutralModules('workerd')],
    keepNames: true,
  },
  {
    // Any other runtime or bundler target (`default` condition): loads anywhere, connects nowhere.
    entry: { default: 'src/default.ts' },
    format: ['esm'],
    dts: false,
    ...sourceMaps,
    clean: false,
    target: 'es2022',
    platform: 'neutral',
    esbuildPlugins: [neutralModules('default')],
    keepNames: true,
  },
])
