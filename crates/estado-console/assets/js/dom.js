// Small DOM helpers and formatters shared by the views.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export const clear = (el) => {
  el.replaceChildren();
  return el;
};

// Replaces el's children (nested arrays and nulls allowed, as in h()).
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function fmtDate(d) {
  if (!d) return '—';
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function fmtDuration(ms) {
  if (ms == null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 3 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// Pretty JSON for a JSON text (or a value); text that is not JSON is shown as it is.
export function pretty(v) {
  if (v == null) return '';
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2);
}

export function jsonBlock(v, cls = '') {
  return h('pre', { class: `json ${cls}` }, pretty(v));
}

export function statusBadge(status) {
  const s = String(status || '').toLowerCase();
  return h('span', { class: `badge st-${s}` }, status || '—');
}

export function toast(message, kind = 'error') {
  const t = h('div', { class: `toast ${kind}`, role: 'alert' }, message);
  document.body.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 3000);
}

export function copyButton(text, label = 'Copy') {
  return h('button', {
    class: 'small',
    onclick: async (e) => {
      e.stopPropagation();
      try {
        await navigator.clipboard.writeText(text);
        toast('Copied', 'info');
      } catch {
        // Without clipboard permission: select the text for a manual copy.
        window.prompt('Copy:', text);
      }
    },
  }, label);
}

// A modal dialog; returns { el, close }.
export function modal(title, body, actions) {
  const backdrop = h('div', { class: 'backdrop' });
  const close = () => backdrop.remove();
  const box = h('div', { class: 'modal', role: 'dialog', 'aria-label': title },
    h('header', null, h('h2', null, title), h('button', { class: 'link', onclick: close, 'aria-label': 'Close' }, '×')),
    body,
    h('footer', null, actions(close)));
  backdrop.append(box);
  backdrop.addEventListener('click', (e) => { if (e.target === backdrop) close(); });
  document.body.append(backdrop);
  return { el: box, close };
}

export function tabs(items, initial) {
  // items: [{ id, label, render: () => Node }]
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const body = h('div', { class: 'tab-body' });
  const buttons = new Map();
  const show = (id) => {
    for (const [bid, b] of buttons) b.classList.toggle('active', bid === id);
    const item = items.find((i) => i.id === id);
    clear(body).append(item.render());
  };
  for (const item of items) {
    const b = h('button', { role: 'tab', 'data-tab': item.id, onclick: () => show(item.id) }, item.label);
    buttons.set(item.id, b);
    bar.append(b);
  }
  show(initial || items[0].id);
  return { el: h('div', { class: 'tabbed' }, bar, body), show };
}

export function errorBox(e) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', null, e.type || 'Error'), ': ', e.message);
}

export const link = {
  machine: (arn) => `#/machine/${encodeURIComponent(arn)}`,
  execution: (arn) => `#/execution/${encodeURIComponent(arn)}`,
};
