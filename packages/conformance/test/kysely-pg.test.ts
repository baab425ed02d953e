import { kyselyOnPg } from '../src/harnesses/kysely.js'
import { runConformance } from '../src/index.js'

runConformance(kyselyOnPg)
