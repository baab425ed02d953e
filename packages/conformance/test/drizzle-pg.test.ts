import { drizzleOnPg } from '../src/harnesses/drizzle.js'
import { runConformance } from '../src/index.js'

runConformance(drizzleOnPg)
