/**
 * Generates a throwaway PKI per run with openssl: a CA, a server certificate for localhost,
 * 127.0.0.1 and ::1, and a client certificate for the `cert` role. No key is ever checked in.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Paths and PEM text of the generated certificates. */
export interface TestCertificates {
  dir: string
  caCertFile: string
  serverCertFile: string
  serverKeyFile: string
  clientCertFile: string
  clientKeyFile: string
  /** A server certificate for another name (`wrong.example`), for verify-full mismatch tests. */
  wrongHostCertFile: string
  wrongHostKeyFile: string
  ca: string
  clientCert: string
  clientKey: string
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new Error(`testkit: openssl ${args[0]} failed: ${stderr || String(err)}`)
  }
}

function issue(dir: string, name: string, subject: string, ext: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir)
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir)
  writeFileSync(path.join(dir, `${name}.ext`), ext)
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  )
  chmodSync(path.join(dir, `${name}.key`), 0o600)
}

/** Creates the CA, server, wrong-host and client certificates in `dir`; `clientUser` is the client CN. */
export function generateCertificates(dir: string, clientUser: string): TestCertificates {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir)
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=Tusk Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ca.crt',
    ],
    dir,
  )
  issue(
    dir,
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n',
  )
  issue(
    dir,
    'wrong-host',
    '/CN=wrong.example',
    'subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n',
  )
  issue(dir, 'client', `/CN=${clientUser}`, 'extendedKeyUsage=clientAuth\n')
  const file = (n: string) => path.join(dir, n)
  return {
    dir,
    caCertFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    wrongHostCertFile: file('wrong-host.crt'),
    wrongHostKeyFile: file('wrong-host.key'),
    ca: readFileSync(file('ca.crt'), 'utf8'),
    clientCert: readFileSync(file('client.crt'), 'utf8'),
    clientKey: readFileSync(file('client.key'), 'utf8'),
  }
}
