import { Result } from '../dist/index.cjs'
export = Result
