import { escapeIdentifier, escapeLiteral, prepareValue } from '../dist/index.cjs'

export { escapeIdentifier, escapeLiteral, prepareValue }
