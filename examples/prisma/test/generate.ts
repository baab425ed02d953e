/** Global set-up: the app's Prisma Client (src/generate.ts), before the tests import it. */
export default async function setup(): Promise<void> {
  await import('../src/generate.js')
}
