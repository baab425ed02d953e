/**
 * The container source: a PostgreSQL container through testcontainers, used only when a Docker
 * engine answers. The engine check is a 1-second `/_ping`, so machines without Docker pay nothing.
 */

import { existsSync } from 'node:fs'
import http from 'node:http'

/** True when a Docker engine answers on DOCKER_HOST (unix socket) or /var/run/docker.sock. */
export async function dockerAvailable(timeoutMs = 1000): Promise<boolean> {
  const hostEnv = process.env.DOCKER_HOST
  let socketPath = '/var/run/docker.sock'
  if (hostEnv?.startsWith('unix://')) socketPath = hostEnv.slice('unix://'.length)
  else if (hostEnv) return tcpPing(hostEnv, timeoutMs)
  if (!existsSync(socketPath)) return false
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}

async function tcpPing(dockerHost: string, timeoutMs: number): Promise<boolean> {
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'))
  return new Promise((resolve) => {
    const req = http.get(
      { host: url.hostname, port: url.port, path: '/_ping', timeout: timeoutMs },
      (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      },
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}

/** A started container and how to stop it. */
export interface ContainerServer {
  url: string
  host: string
  port: number
  version: string
  major: number
  stop(): Promise<void>
}

/** Starts `postgres:<tag>` with the given settings passed as `-c` flags. */
export async function startContainer(
  image: string,
  settings: Record<string, string | number | boolean>,
): Promise<ContainerServer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
  const command = [
    'postgres',
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${String(v)}`]),
  ]
  const started = await new PostgreSqlContainer(image).withCommand(command).start()
  const tag = image.split(':')[1] ?? ''
  const major = Number.parseInt(tag, 10)
  return {
    url: started.getConnectionUri(),
    host: started.getHost(),
    port: started.getPort(),
    version: tag || 'unknown',
    major: Number.isNaN(major) ? 0 : major,
    stop: async () => {
      await started.stop()
    },
  }
}
