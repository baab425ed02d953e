import { typeormOnTusk } from '../src/harnesses/typeorm.js'
import { runConformance } from '../src/index.js'

runConformance(typeormOnTusk)
