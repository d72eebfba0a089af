import { useEffect } from 'react';

/** Sets the document title in an effect, as React apps do (routes.tsx and the lazy cart.tsx). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
