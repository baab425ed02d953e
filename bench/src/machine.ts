/** The facts about this machine that a result is meaningless without. */
import os from 'node:os'

/** Machine, OS and Node, as the results header prints them. */
export interface MachineInfo {
  cores: number
  cpuModel: string
  memoryGiB: number
  os: string
  node: string
}

/** Reads the machine facts. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  }
}
