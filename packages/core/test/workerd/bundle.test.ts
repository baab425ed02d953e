// The Workers bundle (dist/workerd.js, the `workerd` export condition) must load on workerd
// without the nodejs_compat flag: no `node:` import may reach it, and it must export what the
// Node entry exports.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportNames, specifiers } from '../entries/bundle-scan.js'

const dist = path.join(import.meta.dirname, '../../dist')
const bundle = readFileSync(path.join(dist, 'workerd.js'), 'utf8')

describe('the workerd bundle', () => {
  it('imports nothing but cloudflare:sockets (no node: module, no other file)', () => {
    expect(specifiers(bundle)).toEqual(['cloudflare:sockets'])
    expect(bundle).not.toMatch(/["']node:(?!diagnostics_channel["'])/)
  })

  it('exports the same names as the Node entry', () => {
    const node = readFileSync(path.join(dist, 'index.js'), 'utf8')
    expect(exportNames(bundle)).toEqual(exportNames(node))
    expect(exportNames(bundle)).toContain('createPool')
  })

  it('is what package.json maps the workerd condition to, ahead of the other conditions', () => {
    const pkg = JSON.parse(readFileSync(path.join(dist, '../package.json'), 'utf8'))
    const conditions = Object.keys(pkg.exports['.'])
    expect(conditions[0]).toBe('workerd')
    expect(pkg.exports['.'].workerd.default).toBe('./dist/workerd.js')
  })
})
