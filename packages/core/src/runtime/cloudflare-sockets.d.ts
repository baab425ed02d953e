// The part of workerd's `cloudflare:sockets` module the Workers transport uses (the runtime
// provides the module; its full types are in @cloudflare/workers-types).
declare module 'cloudflare:sockets' {
  interface SocketAddress {
    hostname: string
    port: number
  }
  interface SocketOptions {
    secureTransport?: 'off' | 'on' | 'starttls'
    allowHalfOpen?: boolean
  }
  interface TlsOptions {
    expectedServerHostname?: string
  }
  interface SocketInfo {
    remoteAddress?: string
    localAddress?: string
  }
  interface Socket {
    readonly readable: ReadableStream<Uint8Array>
    readonly writable: WritableStream<Uint8Array>
    readonly opened: Promise<SocketInfo>
    readonly closed: Promise<void>
    close(): Promise<void>
    startTls(options?: TlsOptions): Socket
  }
  function connect(address: SocketAddress | string, options?: SocketOptions): Socket
}
