import { describe, expect, it } from 'vitest'
import { renderQueryPosition } from './query-position.js'

describe('renderQueryPosition', () => {
  it('points at a character of a one-line query', () => {
    expect(renderQueryPosition('select * fro t', 10)).toBe(
      'LINE 1: select * fro t\n                 ^',
    )
  })

  it('renders the line the position falls on, with its number', () => {
    const query = 'select a,\n  b fro t\nwhere a = 1'
    // "fro" starts at character 15 (1-based): "select a,\n" is 10, "  b " is 4 more.
    expect(renderQueryPosition(query, 15)).toBe('LINE 2:   b fro t\n            ^')
    expect(renderQueryPosition(query, '1')).toBe('LINE 1: select a,\n        ^')
    expect(renderQueryPosition(query, 21)).toBe('LINE 3: where a = 1\n        ^')
    // Position 20 is the line break itself: the caret goes after the end of line 2.
    expect(renderQueryPosition(query, 20)).toBe('LINE 2:   b fro t\n                 ^')
  })

  it('repeats tabs in the caret line so the caret lines up at any tab width', () => {
    const query = 'select 1\n\tfrom\tt whre'
    const pos = query.indexOf('whre') + 1
    expect(renderQueryPosition(query, pos)).toBe('LINE 2: \tfrom\tt whre\n        \t    \t  ^')
  })

  it('puts the caret after the last character for a position past the end', () => {
    expect(renderQueryPosition('select (1', 10)).toBe('LINE 1: select (1\n                 ^')
    expect(renderQueryPosition('select (1', 500)).toBe('LINE 1: select (1\n                 ^')
    expect(renderQueryPosition('select\n(1', 500)).toBe('LINE 2: (1\n          ^')
  })

  it('treats CRLF and CR as one line break', () => {
    expect(renderQueryPosition('select\r\nfro t', 9)).toBe('LINE 2: fro t\n        ^')
    expect(renderQueryPosition('select\rfro t', 8)).toBe('LINE 2: fro t\n        ^')
  })

  it('counts characters (code points), not UTF-16 units, and widens wide characters', () => {
    const query = "select '😀' fro"
    // Characters: s e l e c t ␠ ' 😀 ' ␠ f r o — "fro" is the 12th.
    expect(renderQueryPosition(query, 12)).toBe("LINE 1: select '😀' fro\n" + ' '.repeat(20) + '^')
    expect(renderQueryPosition("select '日本' fro", 13)).toBe(
      "LINE 1: select '日本' fro\n" + ' '.repeat(22) + '^',
    )
  })

  it('cuts long lines around the caret', () => {
    const query = `select ${'x, '.repeat(40)}fro t`
    const pos = query.indexOf('fro') + 1
    const out = renderQueryPosition(query, pos)
    expect(out).toBeDefined()
    const [line, caret] = (out ?? '').split('\n') as [string, string]
    expect(line.startsWith('LINE 1: ...')).toBe(true)
    expect(line.endsWith('fro t')).toBe(true)
    expect(line.length).toBeLessThanOrEqual('LINE 1: '.length + 3 + 60)
    expect(line[caret.length - 1]).toBe('f')
    expect(caret.trim()).toBe('^')
  })

  it('cuts long lines on the right when the caret is near the start', () => {
    const query = `select fro ${'y'.repeat(100)}`
    const out = renderQueryPosition(query, 8) ?? ''
    const [line, caret] = out.split('\n') as [string, string]
    expect(line.startsWith('LINE 1: select fro y')).toBe(true)
    expect(line.endsWith('...')).toBe(true)
    expect(line[caret.length - 1]).toBe('f')
  })

  it('gives nothing for a position that is not a positive integer', () => {
    expect(renderQueryPosition('select', 0)).toBeUndefined()
    expect(renderQueryPosition('select', -3)).toBeUndefined()
    expect(renderQueryPosition('select', 'abc')).toBeUndefined()
    expect(renderQueryPosition('select', 1.5)).toBeUndefined()
  })

  it('renders an empty query', () => {
    expect(renderQueryPosition('', 1)).toBe('LINE 1: \n        ^')
  })
})
