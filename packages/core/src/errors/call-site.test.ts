import { describe, expect, it } from 'vitest'
import { attachCallSite, CALL_SITE_SEPARATOR, type CallSite, captureCallSite } from './call-site.js'
import { fromServerError } from './server-error.js'

function issueQuery(): CallSite {
  return captureCallSite()
}

function publicEntryPoint(): CallSite {
  return captureCallSite(publicEntryPoint)
}

function userCode(): CallSite {
  return publicEntryPoint()
}

/** An error raised later from a callback, as a socket read would raise it. */
function failLater(): Promise<Error> {
  return new Promise((resolve) =>
    setImmediate(() =>
      resolve(fromServerError({ code: '42P01', message: 'relation "t" does not exist' })),
    ),
  )
}

describe('caller stacks', () => {
  it("appends the capturing function's frames after the separator", async () => {
    const site = issueQuery()
    const err = await failLater()
    expect(err.stack).not.toContain('issueQuery')
    expect(attachCallSite(err, site)).toBe(err)
    const [own, caller] = (err.stack ?? '').split(`\n${CALL_SITE_SEPARATOR}\n`) as [string, string]
    expect(own.startsWith('UndefinedTable: relation "t" does not exist')).toBe(true)
    expect(caller).toMatch(/^\s+at .*issueQuery/)
  })

  it('leaves out the frames of the function passed as the boundary', async () => {
    const site = userCode()
    const err = await failLater()
    attachCallSite(err, site)
    const caller = (err.stack ?? '').split(CALL_SITE_SEPARATOR)[1] ?? ''
    expect(caller).not.toContain('publicEntryPoint')
    expect(caller).toMatch(/^\s+at .*userCode/)
  })

  it('attaches once, and ignores non-errors and missing sites', async () => {
    const site = issueQuery()
    const err = await failLater()
    attachCallSite(err, site)
    attachCallSite(err, site)
    expect((err.stack ?? '').split(CALL_SITE_SEPARATOR)).toHaveLength(2)
    const other = new Error('x')
    const before = other.stack
    expect(attachCallSite(other, undefined).stack).toBe(before)
    expect(attachCallSite(other, {}).stack).toBe(before)
    expect(attachCallSite('not an error', site)).toBe('not an error')
  })
})
