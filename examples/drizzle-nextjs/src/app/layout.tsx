import type { Metadata } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'

export const metadata: Metadata = {
  title: 'Tusk books',
  description: 'A Next.js app on Drizzle and @tusk/drizzle',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '44rem', margin: '2rem auto' }}>
        <header>
          <Link href="/">Tusk books</Link>
        </header>
        <main>{children}</main>
      </body>
    </html>
  )
}
