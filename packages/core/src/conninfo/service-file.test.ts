// Service-file sections: first matching section, comments, verbatim values, syntax errors.
// Follows libpq's parseServiceFile.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { findServiceSection } from './service-file.js'

const FILE = [
  '# a comment',
  '[other]',
  'host=elsewhere',
  '',
  '[mydb]',
  '  host=db.example.com   ',
  'port=5433',
  '# ignored',
  'dbname=app',
  'application_name= spaced',
  'port=9999',
  '[mydb]',
  'host=second-section',
  '[broken]',
  'this line has no equals',
].join('\n')

describe('findServiceSection', () => {
  it('returns the settings of the first matching section, in order', () => {
    expect(findServiceSection(FILE, 'mydb', 'f')).toEqual([
      { keyword: 'host', value: 'db.example.com', line: 6 },
      { keyword: 'port', value: '5433', line: 7 },
      { keyword: 'dbname', value: 'app', line: 9 },
      { keyword: 'application_name', value: ' spaced', line: 10 },
      { keyword: 'port', value: '9999', line: 11 },
    ])
  })

  it.each([
    ['other', [{ keyword: 'host', value: 'elsewhere', line: 3 }]],
    ['missing', undefined],
    ['mydb2', undefined],
    ['myd', undefined],
  ])('section %s', (name, expected) => {
    expect(findServiceSection(FILE, name, 'f')).toEqual(expected)
  })

  it('finds an empty section', () => {
    expect(findServiceSection('[empty]\n[next]\nhost=x', 'empty', 'f')).toEqual([])
  })

  it('accepts CRLF line endings and trailing text after "]"', () => {
    expect(findServiceSection('[s] trailing\r\nhost=h\r\n', 's', 'f')).toEqual([
      { keyword: 'host', value: 'h', line: 2 },
    ])
  })

  it('reports errors only inside the wanted section', () => {
    expect(findServiceSection(FILE, 'other', 'f')).toBeDefined()
    expect(() => findServiceSection(FILE, 'broken', '/etc/pg_service.conf')).toThrow(
      'syntax error in service file "/etc/pg_service.conf", line 15: expected keyword=value',
    )
  })

  const errors: ReadonlyArray<readonly [string, RegExp]> = [
    ['[s]\nhots=h', /line 2: unknown connection parameter "hots"; did you mean "host"\?$/],
    [
      '[s]\nhost =h',
      /unknown connection parameter "host "; did you mean "host"\? \(no spaces are allowed around "="\)/,
    ],
    ['[s]\nservice=t', /nested service specifications not supported in service file "f", line 2/],
    ['[s]\nservicefile=/x', /nested service specifications not supported/],
  ]
  it.each(errors)('rejects %j', (text, message) => {
    expect(() => findServiceSection(text, 's', 'f')).toThrow(ConfigError)
    expect(() => findServiceSection(text, 's', 'f')).toThrow(message)
  })
})
