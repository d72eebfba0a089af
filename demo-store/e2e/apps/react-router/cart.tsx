import { Link } from 'react-router';
import { useTitle } from './title.ts';

export default function Cart() {
  useTitle('Cart · React shop');
  return (
    <main>
      <h1>Cart</h1>
      <Link to="/">Home</Link>
    </main>
  );
}
