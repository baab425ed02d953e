/**
 * The byte transport a connection runs over, as an interface: connect, write, read, upgrade to
 * TLS. Runtime-neutral: imports nothing; `node-transport.ts` is the Node implementation.
 */

/** Where to connect: a TCP host and port, or a Unix-domain socket path. */
export type TransportTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }

/** Options for opening a transport. */
export interface TransportOptions {
  /** Turn TCP keepalive on (default true), first probe after `keepAliveIdleMs`. */
  keepAlive: boolean
  keepAliveIdleMs?: number
  /** Abort connecting (the caller's timeout or AbortSignal). */
  signal?: AbortSignal
}

/** TLS settings for {@link Transport.startTls}, already resolved from `sslmode` and friends. */
export interface TlsOptions {
  /** Server name for SNI and verify-full; absent for IP literals (SNI forbids them). */
  servername?: string
  /** Host name or address to check the certificate against (verify-full). */
  checkHost?: string
  /** Verify the chain against `ca` (or the system store when `ca` is absent). */
  verifyChain: boolean
  /** Also verify that the certificate names `checkHost`. */
  verifyHost: boolean
  ca?: string | Uint8Array
  cert?: string | Uint8Array
  key?: string | Uint8Array
  passphrase?: string
  /** ALPN protocols (`postgresql` for direct TLS negotiation). */
  alpn?: string[]
  /** Lowest and highest TLS version, e.g. `TLSv1.2`. */
  minVersion?: string
  maxVersion?: string
  /** Certificate revocation lists (PEM). */
  crl?: string | Uint8Array
  signal?: AbortSignal
}

/** What an established TLS session tells us. */
export interface TlsSession {
  /** e.g. `TLSv1.3`. */
  protocol: string
  cipher: string
  /** The server's certificate in DER, for SCRAM channel binding. */
  peerCertificate: Uint8Array | undefined
  /** Whether the certificate chain and (if asked) name were verified. */
  verified: boolean
}

/** Callbacks a transport delivers to; set once with {@link Transport.setHandlers}. */
export interface TransportHandlers {
  /**
   * Bytes from the peer. `chunk` is valid only during the call: the transport may read into the
   * same memory next, so the receiver copies what it keeps.
   */
  data(chunk: Uint8Array): void
  /** The transport closed; `error` when it failed (system error code on `code`). */
  close(error?: Error & { code?: string }): void
  /** The write buffer drained after `write` returned false. */
  drain(): void
}

/** A connected duplex byte stream. */
export interface Transport {
  setHandlers(handlers: TransportHandlers): void
  /** Queue bytes; false when the caller should wait for `drain`. The chunk is not retained. */
  write(chunk: Uint8Array): boolean
  /** Upgrade to TLS in place. No byte may be read between the server's `S` and this call. */
  startTls(options: TlsOptions): Promise<TlsSession>
  /** Stop and resume delivering `data` (receive backpressure). */
  pause(): void
  resume(): void
  /** Half-close after pending writes flush. */
  end(): void
  /** Close at once. */
  destroy(): void
  /** Let the process exit while this transport is open (`unref`), or keep it alive (`ref`). */
  unref(): void
  ref(): void
  /** Bytes handed to the OS so far: 0 proves the server never saw a request. */
  readonly bytesWritten: number
  /** Human-readable peer, e.g. `127.0.0.1:5432` or a socket path. */
  readonly peer: string
}

/** Opens transports. One per runtime. */
export interface TransportFactory {
  connect(target: TransportTarget, options: TransportOptions): Promise<Transport>
}

/** `host:port`, with IPv6 literals in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
