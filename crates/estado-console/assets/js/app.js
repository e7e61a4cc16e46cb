// The console's entry point: a hash router over the views.

import { h, clear, errorBox } from './dom.js';
import { machinesView, machineView } from './machines.js';
import { executionView } from './execution.js';
import { activitiesView } from './activities.js';

const view = document.getElementById('view');
let cleanup = null;

const routes = [
  [/^#?\/?$/, () => machinesView, 'machines'],
  [/^#\/machine\/(.+)$/, () => machineView, 'machines'],
  [/^#\/execution\/(.+)$/, () => executionView, 'machines'],
  [/^#\/activities$/, () => activitiesView, 'activities'],
];

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a view that failed to clean up must not block the next one
    }
    cleanup = null;
  }
  const hash = location.hash || '#/';
  for (const [re, get, nav] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === nav);
    clear(view);
    try {
      cleanup = (await get()(view, ...m.slice(1).map(decodeURIComponent))) || null;
    } catch (e) {
      view.append(errorBox(e));
    }
    return;
  }
  clear(view).append(h('p', null, 'No such page. ', h('a', { href: '#/' }, 'State machines')));
}

window.addEventListener('hashchange', route);
route();
