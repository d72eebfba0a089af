import Link from 'next/link';

export const metadata = { title: 'Shoes · Next shop' };

export default function Shoes() {
  return (
    <main>
      <h1>Shoes</h1>
      <Link href="/shoes/red">Red shoe</Link>
    </main>
  );
}
