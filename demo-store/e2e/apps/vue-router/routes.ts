// A small shop on Vue 3 and Vue Router 4 (render functions: no template compiler in the bundle). Titles come from
// route meta in an afterEach hook, as Vue apps commonly do, except the product page's, which it sets once its data
// has arrived (after an await, as a real product page would).
import { defineComponent, h, onMounted } from 'vue';
import { createRouter, createWebHistory, RouterLink, RouterView, type Router } from 'vue-router';

const page = (heading: string, to: string, label: string) =>
  defineComponent({ render: () => h('main', [h('h1', heading), h(RouterLink, { to }, () => label)]) });

const Product = defineComponent({
  setup() {
    onMounted(async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      document.title = 'Red shoe · Vue shop';
    });
    return () => h('main', [h('h1', 'Red shoe'), h(RouterLink, { to: '/', replace: true }, () => 'Home (replace)')]);
  },
});

export function shopRouter(base: string): Router {
  const router = createRouter({
    history: createWebHistory(base),
    routes: [
      { path: '/', component: page('Home', '/shoes', 'Shoes'), meta: { title: 'Home · Vue shop' } },
      { path: '/shoes', component: page('Shoes', '/shoes/red', 'Red shoe'), meta: { title: 'Shoes · Vue shop' } },
      { path: '/shoes/red', component: Product },
    ],
  });
  router.afterEach((to) => {
    if (to.meta.title) document.title = String(to.meta.title);
  });
  return router;
}

export const App = defineComponent({ render: () => h(RouterView) });
