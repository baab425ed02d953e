import { knexOnPg } from '../src/harnesses/knex.js'
import { runConformance } from '../src/index.js'

runConformance(knexOnPg)
