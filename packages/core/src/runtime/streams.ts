/**
 * The Node stream class the session layer's stream adapters build on (`copyTo`, `cursor.stream()`).
 * One module so that a runtime without `node:stream` swaps this file alone at build time
 * (`streams-workerd.ts` in the Workers bundle); the layers import it from here.
 */
export { Readable } from 'node:stream'
