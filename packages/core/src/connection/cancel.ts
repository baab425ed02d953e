/**
 * CancelRequest: asks the server, over a new socket, to cancel whatever the session identified by
 * its process ID and secret key is running. Over TLS when the session uses TLS (the key is a
 * secret). The server answers nothing; it closes the socket.
 */
import { ConnectionError } from '../errors/client.js'
import { decodeEncryptionResponse } from '../protocol/encryption-response.js'
import { encodeCancelRequest, SSL_REQUEST_FRAME } from '../protocol/frontend.js'
import { Writer } from '../protocol/writer.js'
import type {
  TlsOptions,
  Transport,
  TransportFactory,
  TransportTarget,
} from '../runtime/transport.js'

/** Sends a CancelRequest for `key` to `target`; resolves when the server closed the socket. */
export async function sendCancelRequest(
  factory: TransportFactory,
  target: TransportTarget,
  key: { processId: number; secretKey: Uint8Array },
  tls: TlsOptions | undefined,
  timeoutMs = 10_000,
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs)
  let transport: Transport
  try {
    transport = await factory.connect(target, { keepAlive: false, signal })
    if (tls) {
      const answer = await new Promise<Uint8Array>((resolve, reject) => {
        transport.setHandlers({
          // Nothing more is read from the plain socket: startTls takes it over.
          data: (chunk) => {
            transport.pause()
            resolve(new Uint8Array(chunk))
          },
          drain: () => {},
          close: (err) =>
            reject(err ?? new Error('server closed the connection during SSLRequest')),
        })
        transport.write(SSL_REQUEST_FRAME)
      })
      if (decodeEncryptionResponse(answer, 'SSLRequest') !== 'accepted') {
        throw new Error('server refused TLS for the cancel request')
      }
      await transport.startTls({ ...tls, signal })
    }
  } catch (err) {
    throw new ConnectionError(`could not send the cancel request: ${(err as Error).message}`, {
      cause: err,
      phase: 'query',
    })
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      transport.destroy()
      resolve()
    }, timeoutMs)
    transport.setHandlers({
      data: () => {},
      drain: () => {},
      close: () => {
        clearTimeout(timer)
        resolve()
      },
    })
    const w = new Writer(16 + key.secretKey.length)
    encodeCancelRequest(w, key.processId, key.secretKey)
    transport.write(w.flush())
    transport.end()
  })
}
