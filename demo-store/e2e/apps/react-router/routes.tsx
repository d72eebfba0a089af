// A small shop on React 19 and React Router 7's <BrowserRouter>: every route sets its title in an effect, as
// React apps do, and the router renders navigations in transitions (the effects run after the next frame).
import { lazy, Suspense } from 'react';
import { Link, Route, Routes, useNavigate } from 'react-router';
import { useTitle } from './title.ts';

function Home() {
  useTitle('Home · React shop');
  return (
    <main>
      <h1>Home</h1>
      <Link to="/shoes">Shoes</Link>
    </main>
  );
}

function Shoes() {
  useTitle('Shoes · React shop');
  return (
    <main>
      <h1>Shoes</h1>
      <Link to="/shoes/red">Red shoe</Link>
    </main>
  );
}

function Product() {
  useTitle('Red shoe · React shop');
  const navigate = useNavigate();
  return (
    <main>
      <h1>Red shoe</h1>
      <button onClick={() => navigate('/cart', { replace: true })}>Buy now</button>
    </main>
  );
}

// A lazily loaded route: its title comes once its chunk has loaded.
const Cart = lazy(() => import('./cart.tsx'));

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/shoes" element={<Shoes />} />
      <Route path="/shoes/red" element={<Product />} />
      <Route
        path="/cart"
        element={
          <Suspense fallback={<p>Loading…</p>}>
            <Cart />
          </Suspense>
        }
      />
    </Routes>
  );
}
