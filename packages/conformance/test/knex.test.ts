import { knexOnTusk } from '../src/harnesses/knex.js'
import { runConformance } from '../src/index.js'

runConformance(knexOnTusk)
