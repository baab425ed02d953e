// A Worker run with the nodejs_compat flag: the driver's diagnostics_channel events reach a
// subscriber as on Node (the bundle finds the module at run time; it never imports it).
import dc from 'node:diagnostics_channel'
import { CHANNELS, connect } from './tusk.js'

export default {
  async fetch(_request, env) {
    const queries = []
    const onStart = (event) => queries.push(event.query)
    dc.channel(CHANNELS.queryStart).subscribe(onStart)
    try {
      const s = await connect(env.PLAIN_URL)
      await s.query('select 1 as traced')
      await s.close()
    } finally {
      dc.channel(CHANNELS.queryStart).unsubscribe(onStart)
    }
    return Response.json({ queries })
  },
}
