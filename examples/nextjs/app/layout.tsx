import type { ReactNode } from 'react';
// keyward/react is a client module ("use client" at the top of its built entry), so this
// server layout can render AuthProvider directly; its props (plain strings) cross to the client.
import { AuthProvider } from 'keyward/react';
import { connection } from 'next/server';

export const metadata = { title: 'keyward + Next.js' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read at request time, not baked in at build time: one build serves any provider.
  await connection();
  const oidcAuthority = process.env.KEYWARD_AUTHORITY ?? 'http://127.0.0.1:4000';
  const clientId = process.env.KEYWARD_CLIENT_ID ?? 'spa';
  return (
    <html lang="en">
      <body>
        <AuthProvider config={{ clientId, oidcAuthority }}>
          <nav>
            <a href="/">Home</a> · <a href="/protected">Protected</a>
          </nav>
          <main>{children}</main>
        </AuthProvider>
      </body>
    </html>
  );
}
