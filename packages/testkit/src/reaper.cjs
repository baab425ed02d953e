// Watchdog for one test server: started detached by the testkit with a pipe from its parent on
// stdin. When the pipe closes without a "done" line (the parent crashed or was killed), it stops
// the server and removes its folder, so no server or data dir outlives the run.
'use strict'
const fs = require('node:fs')

const [, , baseDir, pidFile] = process.argv
let done = false
let buffered = ''

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

function postmasterPid() {
  try {
    const n = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

function reap() {
  const pid = postmasterPid()
  if (pid !== undefined && alive(pid)) {
    try {
      process.kill(pid, 'SIGQUIT')
    } catch {}
  }
  const deadline = Date.now() + 5000
  const tick = () => {
    if (pid !== undefined && alive(pid) && Date.now() < deadline) return setTimeout(tick, 50)
    if (pid !== undefined && alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
    try {
      fs.rmSync(baseDir, { recursive: true, force: true })
    } catch {}
    process.exit(0)
  }
  tick()
}

process.stdin.on('data', (chunk) => {
  buffered += chunk.toString()
  if (buffered.includes('done\n')) done = true
})
process.stdin.on('end', () => (done ? process.exit(0) : reap()))
process.stdin.on('error', () => (done ? process.exit(0) : reap()))
