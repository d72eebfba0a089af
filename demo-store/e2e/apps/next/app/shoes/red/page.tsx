import Link from 'next/link';

export const metadata = { title: 'Red shoe · Next shop' };

export default function RedShoe() {
  return (
    <main>
      <h1>Red shoe</h1>
      <Link href="/">Home</Link>
    </main>
  );
}
