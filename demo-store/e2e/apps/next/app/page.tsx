import Link from 'next/link';

export const metadata = { title: 'Home · Next shop' };

export default function Home() {
  return (
    <main>
      <h1>Home</h1>
      <Link href="/shoes">Shoes</Link>
    </main>
  );
}
