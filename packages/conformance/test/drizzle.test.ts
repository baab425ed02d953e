import { drizzleOnTusk } from '../src/harnesses/drizzle.js'
import { runConformance } from '../src/index.js'

runConformance(drizzleOnTusk)
