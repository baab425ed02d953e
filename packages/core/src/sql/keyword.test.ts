import { describe, expect, it } from 'vitest'
import { opensTransactionBlock, startsWithKeyword } from './keyword.js'

describe('opensTransactionBlock', () => {
  it.each([
    'begin',
    'BEGIN',
    'Begin;',
    'begin isolation level serializable',
    'begin\ttransaction',
    '  \n\tBEGIN',
    'start transaction',
    'START TRANSACTION READ ONLY',
    '-- a comment\nbegin',
    '/* a */ begin',
    '/* outer /* nested */ still comment */start transaction',
    'begin(',
  ])('%j opens a block', (sql) => {
    expect(opensTransactionBlock(sql)).toBe(true)
  })

  it.each([
    '',
    'select 1',
    'beginning',
    'begin_job()',
    'begin$x',
    'startup',
    'select begin',
    'commit',
    'end',
    '-- begin',
    '/* begin */ select 1',
    '/* unterminated begin',
    'begün',
  ])('%j does not', (sql) => {
    expect(opensTransactionBlock(sql)).toBe(false)
  })
})

describe('startsWithKeyword', () => {
  it('finds COPY in any case after comments, as a whole word only', () => {
    expect(startsWithKeyword('COPY t FROM STDIN', ['copy'])).toBe(true)
    expect(startsWithKeyword(' /* load */ copy t to stdout', ['copy'])).toBe(true)
    expect(startsWithKeyword('copy', ['copy'])).toBe(true)
    expect(startsWithKeyword('copying', ['copy'])).toBe(false)
    expect(startsWithKeyword('select copy from t', ['copy'])).toBe(false)
    expect(startsWithKeyword('cop', ['copy'])).toBe(false)
  })
})
