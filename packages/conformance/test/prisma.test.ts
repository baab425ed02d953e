import { prismaOnTusk } from '../src/harnesses/prisma.js'
import { runConformance } from '../src/index.js'

runConformance(prismaOnTusk)
