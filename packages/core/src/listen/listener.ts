/**
 * LISTEN/NOTIFY for a pool: one dedicated connection serves every channel, reconnects with
 * backoff when it drops, re-issues every LISTEN and tells the app that notifications may have
 * been missed in the gap.
 */
import type { Connection, Notification } from '../connection/connection.js'
import { type Logger, log } from '../connection/logger.js'
import { InterfaceError, type TuskError } from '../errors/base.js'
import { escapeIdentifier } from '../sql/escape.js'

/** Called for each notification on a channel. */
export type NotificationHandler = (payload: string, notification: Notification) => void

/** PostgreSQL's limit: a payload must be shorter than 8 000 bytes (async.c, NOTIFY_PAYLOAD_MAX_LENGTH). */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999

const utf8 = new TextEncoder()

/** Throws InterfaceError when `payload` is over PostgreSQL's limit (checked before sending). */
export function checkNotifyPayload(channel: string, payload: string): void {
  const size = utf8.encode(payload).length
  if (size > MAX_NOTIFY_PAYLOAD_BYTES) {
    throw new InterfaceError(
      `NOTIFY payload for channel "${channel}" is ${size} bytes; PostgreSQL allows at most ${MAX_NOTIFY_PAYLOAD_BYTES}`,
    )
  }
  if (channel.length === 0) throw new InterfaceError('NOTIFY needs a non-empty channel name')
}

/** Options of a pool's listener. */
export interface ListenerOptions {
  /** Opens the dedicated connection (the pool supplies its config and hooks). */
  open(
    onNotification: (n: Notification) => void,
    onClose: (err: TuskError | undefined) => void,
  ): Promise<Connection>
  /** Called after a reconnect: notifications sent during the gap may have been missed. */
  onReconnect?: ((channels: string[]) => void) | undefined
  /** Errors while (re)connecting in the background. */
  onError?: ((err: TuskError) => void) | undefined
  logger?: Logger | undefined
  retryBackoff?: { baseDelayMs?: number; maxDelayMs?: number } | undefined
}

/** The dedicated LISTEN connection of a pool. */
export class Listener {
  readonly #options: ListenerOptions
  readonly #handlers = new Map<string, Set<NotificationHandler>>()
  #conn: Connection | undefined
  #connecting: Promise<Connection> | undefined
  #closed = false
  #failures = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined

  constructor(options: ListenerOptions) {
    this.#options = options
  }

  /** Channels with at least one handler. */
  get channels(): string[] {
    return [...this.#handlers.keys()]
  }

  /** Subscribes `handler` to `channel`; resolves once LISTEN is in effect. Returns the unsubscribe. */
  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.#closed) throw new InterfaceError('the pool is closed; cannot LISTEN')
    if (channel.length === 0) throw new InterfaceError('LISTEN needs a non-empty channel name')
    let set = this.#handlers.get(channel)
    const first = !set
    if (!set) {
      set = new Set()
      this.#handlers.set(channel, set)
    }
    set.add(handler)
    try {
      const conn = await this.#connection()
      if (first) await conn.exec(`LISTEN ${escapeIdentifier(channel)}`)
    } catch (err) {
      set.delete(handler)
      if (set.size === 0) this.#handlers.delete(channel)
      throw err
    }
    let active = true
    return async () => {
      if (!active) return
      active = false
      const current = this.#handlers.get(channel)
      current?.delete(handler)
      if (current && current.size === 0) {
        this.#handlers.delete(channel)
        const conn = this.#conn
        if (conn && !conn.closed)
          await conn.exec(`UNLISTEN ${escapeIdentifier(channel)}`).catch(() => {})
      }
    }
  }

  #dispatch(n: Notification): void {
    const set = this.#handlers.get(n.channel)
    if (!set) return
    for (const h of [...set]) {
      try {
        h(n.payload, n)
      } catch (err) {
        log(this.#options.logger, 'error', `notification handler for "${n.channel}" threw`, {
          error: err,
        })
      }
    }
  }

  #connection(): Promise<Connection> {
    if (this.#conn && !this.#conn.closed) return Promise.resolve(this.#conn)
    this.#connecting ??= this.#options
      .open(
        (n) => this.#dispatch(n),
        (err) => this.#lost(err),
      )
      .then(
        (conn) => {
          this.#conn = conn
          this.#connecting = undefined
          this.#failures = 0
          return conn
        },
        (err) => {
          this.#connecting = undefined
          throw err
        },
      )
    return this.#connecting
  }

  #lost(err: TuskError | undefined): void {
    this.#conn = undefined
    if (this.#closed || this.#handlers.size === 0) return
    if (err) this.#report(err)
    this.#scheduleReconnect()
  }

  #report(err: TuskError): void {
    log(this.#options.logger, 'warn', `listener: ${err.message}`, { error: err })
    try {
      this.#options.onError?.(err)
    } catch {}
  }

  #scheduleReconnect(): void {
    if (this.#retryTimer || this.#closed) return
    const base = this.#options.retryBackoff?.baseDelayMs ?? 50
    const cap = this.#options.retryBackoff?.maxDelayMs ?? 2_000
    const delay =
      this.#failures === 0
        ? 0
        : Math.random() * Math.min(cap, base * 2 ** Math.min(this.#failures, 16))
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#reconnect()
    }, delay)
  }

  async #reconnect(): Promise<void> {
    if (this.#closed || this.#handlers.size === 0) return
    try {
      const conn = await this.#connection()
      const channels = this.channels
      if (channels.length > 0)
        await conn.exec(channels.map((c) => `LISTEN ${escapeIdentifier(c)}`).join('; '))
      try {
        this.#options.onReconnect?.(channels)
      } catch {}
    } catch (err) {
      this.#failures++
      this.#report(err as TuskError)
      this.#scheduleReconnect()
    }
  }

  /** Closes the dedicated connection; handlers stop receiving. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#handlers.clear()
    const conn = this.#conn ?? (await this.#connecting?.catch(() => undefined))
    this.#conn = undefined
    await conn?.close().catch(() => conn.destroy())
  }
}
