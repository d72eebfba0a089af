import { Suspense, type ReactNode } from 'react';
import { Pathmark } from './pathmark';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Suspense>
          <Pathmark />
        </Suspense>
        {children}
      </body>
    </html>
  );
}
