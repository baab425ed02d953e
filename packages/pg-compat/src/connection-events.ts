/**
 * `client.connection`, as far as tools that listen on it need: Sequelize reads the server's
 * parameters from its `parameterStatus` events while connecting. It sends nothing; the protocol
 * is @tusk/core's.
 */
import { EventEmitter } from 'node:events'

/** A ParameterStatus message as `pg`'s connection emits it. */
export interface ParameterStatusMessage {
  name: 'parameterStatus'
  /** e.g. `server_version`, `standard_conforming_strings`, `TimeZone`. */
  parameterName: string
  parameterValue: string
}

/**
 * The events of `pg`'s low-level connection that tools listen to: `parameterStatus`, once per
 * server parameter when the client connects (before `connect()` settles). No protocol methods.
 */
export class ConnectionEvents extends EventEmitter {
  /** Subscribes to `parameterStatus`. */
  override on(event: 'parameterStatus', listener: (message: ParameterStatusMessage) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  /** Internal: reports the parameters the server sent at startup. */
  announce(parameters: ReadonlyMap<string, string>): void {
    for (const [parameterName, parameterValue] of parameters) {
      const message: ParameterStatusMessage = {
        name: 'parameterStatus',
        parameterName,
        parameterValue,
      }
      this.emit('parameterStatus', message)
    }
  }
}
