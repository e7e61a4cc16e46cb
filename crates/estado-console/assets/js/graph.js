// The state machine as an SVG graph: each scope laid out on its own (transitions never leave
// a scope), Parallel branches and Map processors drawn as nested boxes, Choice rules and
// Catch edges labelled, Retry as a loop on its state. Pan with the mouse, zoom with the wheel.

import { layered } from './layout.js';
import { isTerminal, retrySummary, transitions } from './asl.js';

const NS = 'http://www.w3.org/2000/svg';
const NODE_H = 40;
const HEADER = 30;
const PAD = 12;
const RETRY_ROOM = 22;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, v);
  for (const c of children) if (c != null) el.append(c);
  return el;
}

const textWidth = (t, px = 7.2) => Math.min(260, Math.max(110, t.length * px + 34));
const truncate = (t, w) => {
  const max = Math.floor((w - 26) / 7.2);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function layoutScope(model, scope, root) {
  const nodes = [];
  const edges = [];
  const inner = new Map();
  if (root) nodes.push({ id: '\u0000start', w: 20, h: 20, marker: 'start' });
  for (const name of scope.names) {
    const st = model.states.get(name);
    let w;
    let h;
    if (st.branches) {
      const subs = st.branches.map((b) => layoutScope(model, b, false));
      inner.set(name, subs);
      w = subs.reduce((a, b) => a + b.width, 0) + PAD * (subs.length + 1);
      w = Math.max(w, textWidth(name) + 40);
      h = HEADER + Math.max(0, ...subs.map((b) => b.height)) + 2 * PAD;
    } else if (st.processor) {
      const sub = layoutScope(model, st.processor, false);
      inner.set(name, [sub]);
      w = Math.max(sub.width + 2 * PAD, textWidth(name) + 40);
      h = HEADER + sub.height + 2 * PAD;
    } else {
      w = textWidth(name);
      h = NODE_H;
    }
    const retry = st.def.Retry?.length ? RETRY_ROOM : 0;
    nodes.push({ id: name, w: w + retry, h, drawW: w, retry });
    for (const t of transitions(st)) edges.push({ from: name, to: t.to, kind: t.kind, label: t.label });
    if (root && isTerminal(st)) edges.push({ from: name, to: '\u0000end', kind: 'end' });
  }
  if (root) {
    nodes.push({ id: '\u0000end', w: 20, h: 20, marker: 'end' });
    if (scope.startAt) edges.unshift({ from: '\u0000start', to: scope.startAt, kind: 'start' });
  } else if (scope.startAt) {
    // Keep the branch's start state first so the depth-first search begins there.
    const i = nodes.findIndex((n) => n.id === scope.startAt);
    if (i > 0) nodes.unshift(...nodes.splice(i, 1));
  }
  const lay = layered(nodes, edges);
  return { ...lay, nodes, inner, scope };
}

export class Graph {
  // model: from asl.parse; onSelect(name) when a state is clicked.
  constructor(model, { onSelect } = {}) {
    this.model = model;
    this.onSelect = onSelect;
    this.els = new Map();
    this.status = new Map();
    const t0 = performance.now();
    this.layout = layoutScope(model, model.root, true);
    this.layoutMs = performance.now() - t0;
    this.svg = s('svg', { class: 'graph', role: 'img', 'aria-label': 'state machine graph' });
    const defs = s('defs', null);
    for (const kind of ['next', 'catch', 'back', 'retry']) {
      defs.append(s('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead ${kind}` })));
    }
    this.svg.append(defs);
    this.viewport = s('g', { class: 'viewport' });
    this.svg.append(this.viewport);
    this.drawScope(this.viewport, this.layout);
    this.renderMs = performance.now() - t0 - this.layoutMs;
    this.width = this.layout.width;
    this.height = this.layout.height;
    this.view = { x: 0, y: 0, k: 1 };
    this.interact();
  }

  drawScope(parent, lay) {
    const edgeLayer = s('g', { class: 'edges' });
    const nodeLayer = s('g', { class: 'nodes' });
    const labelLayer = s('g', { class: 'labels' });
    parent.append(edgeLayer, nodeLayer, labelLayer);
    for (const e of lay.edges) {
      if (e.loop) continue;
      const kind = e.back ? 'back' : e.kind === 'catch' ? 'catch' : 'next';
      const path = s('path', { d: smooth(e.points), class: `edge ${e.kind}${e.back ? ' back' : ''}`, 'marker-end': `url(#arrow-${kind})` });
      edgeLayer.append(path);
      if (e.label) {
        const [x1, y1] = e.points[0];
        const [x2, y2] = e.points[1];
        const lx = x1 + (x2 - x1) * 0.5;
        const ly = y1 + (y2 - y1) * 0.5;
        const w = e.label.length * 6 + 8;
        labelLayer.append(s('g', { class: `edge-label ${e.kind}`, transform: `translate(${lx - w / 2},${ly - 8})` },
          s('rect', { width: w, height: 15, rx: 3 }),
          s('text', { x: w / 2, y: 11 }, e.label)));
      }
    }
    for (const node of lay.nodes) {
      const p = lay.pos.get(node.id);
      if (node.marker) {
        nodeLayer.append(s('g', { class: `marker ${node.marker}`, transform: `translate(${p.x},${p.y})` },
          s('circle', { r: 9 }), s('title', null, node.marker === 'start' ? 'Start' : 'End')));
        continue;
      }
      const st = this.model.states.get(node.id);
      const w = node.drawW;
      const x = p.x - node.w / 2;
      const y = p.y - node.h / 2;
      const g = s('g', { class: `state t-${st.type.toLowerCase()}${lay.inner.has(node.id) ? ' group' : ''}`, transform: `translate(${x},${y})`, 'data-state': node.id, tabindex: 0 });
      g.append(s('title', null, `${node.id} (${st.type})`));
      g.append(s('rect', { class: 'box', width: w, height: node.h, rx: 6 }));
      const labelY = lay.inner.has(node.id) ? 19 : 17;
      g.append(s('text', { class: 'name', x: w / 2, y: labelY }, truncate(node.id, w)));
      if (!lay.inner.has(node.id)) g.append(s('text', { class: 'type', x: w / 2, y: 32 }, st.type));
      else g.append(s('text', { class: 'type', x: w - 8, y: 19, style: 'text-anchor: end' }, st.type));
      if (node.retry) {
        const r = s('g', { class: 'retry' },
          s('path', { d: `M${w},${node.h * 0.3} C${w + 20},${node.h * 0.15} ${w + 20},${node.h * 0.85} ${w},${node.h * 0.7}`, 'marker-end': 'url(#arrow-retry)' }),
          s('title', null, `Retry\n${retrySummary(st)}`));
        g.append(r);
      }
      const subs = lay.inner.get(node.id);
      if (subs) {
        let bx = PAD;
        const isMap = st.type === 'Map';
        for (const sub of subs) {
          const bg = s('g', { class: `branch${isMap ? ' processor' : ''}`, transform: `translate(${bx},${HEADER + PAD / 2})` });
          bg.append(s('rect', { class: 'branch-box', width: sub.width, height: sub.height, rx: 5 }));
          this.drawScope(bg, sub);
          g.append(bg);
          bx += sub.width + PAD;
        }
      }
      g.addEventListener('click', (ev) => {
        ev.stopPropagation();
        this.onSelect?.(node.id);
      });
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') this.onSelect?.(node.id);
      });
      this.els.set(node.id, g);
      nodeLayer.append(g);
    }
  }

  // statuses: Map(name -> 'running'|'succeeded'|'failed'|'caught'|'cancelled'); others are
  // "not reached".
  setStatus(statuses) {
    for (const [name, el] of this.els) {
      const st = statuses.get(name) || 'none';
      if (this.status.get(name) === st) continue;
      this.status.set(name, st);
      el.classList.remove('s-running', 's-succeeded', 's-failed', 's-caught', 's-cancelled', 's-none');
      el.classList.add(`s-${st}`);
      el.dataset.status = st;
    }
  }

  select(name) {
    for (const el of this.svg.querySelectorAll('.selected')) el.classList.remove('selected');
    this.els.get(name)?.classList.add('selected');
  }

  mount(container) {
    container.append(this.svg);
    this.fit();
  }

  fit() {
    const box = this.svg.getBoundingClientRect();
    const cw = box.width || 800;
    const ch = box.height || 500;
    // The whole graph when it stays readable; else its top at a readable scale.
    const k = Math.max(Math.min(1, cw / this.width, ch / this.height), Math.min(0.5, cw / this.width));
    this.view = { k, x: (cw - this.width * k) / 2, y: Math.max(8, (ch - this.height * k) / 2) };
    this.apply();
  }

  focus(name) {
    const el = this.els.get(name);
    if (!el) return;
    const box = this.svg.getBoundingClientRect();
    const b = el.getBoundingClientRect();
    this.view.x += box.left + box.width / 2 - (b.left + b.width / 2);
    this.view.y += box.top + box.height / 2 - (b.top + b.height / 2);
    this.apply();
  }

  apply() {
    const { x, y, k } = this.view;
    this.viewport.setAttribute('transform', `translate(${x},${y}) scale(${k})`);
  }

  interact() {
    let drag = null;
    this.svg.addEventListener('pointerdown', (e) => {
      if (e.target.closest('.state')) return;
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y };
      this.svg.setPointerCapture(e.pointerId);
    });
    this.svg.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.view.x = drag.vx + e.clientX - drag.x;
      this.view.y = drag.vy + e.clientY - drag.y;
      this.apply();
    });
    this.svg.addEventListener('pointerup', () => (drag = null));
    this.svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const box = this.svg.getBoundingClientRect();
      const px = e.clientX - box.left;
      const py = e.clientY - box.top;
      const k = Math.min(3, Math.max(0.05, this.view.k * Math.exp(-e.deltaY * 0.0015)));
      this.view.x = px - ((px - this.view.x) * k) / this.view.k;
      this.view.y = py - ((py - this.view.y) * k) / this.view.k;
      this.view.k = k;
      this.apply();
    }, { passive: false });
  }
}

// A polyline with rounded corners.
function smooth(points) {
  if (points.length < 2) return '';
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const [x2, y2] = points[i + 1];
    const r = 10;
    const d1 = Math.hypot(x1 - x0, y1 - y0) || 1;
    const d2 = Math.hypot(x2 - x1, y2 - y1) || 1;
    const a = Math.min(r, d1 / 2) / d1;
    const b = Math.min(r, d2 / 2) / d2;
    d += ` L${x1 - (x1 - x0) * a},${y1 - (y1 - y0) * a} Q${x1},${y1} ${x1 + (x2 - x1) * b},${y1 + (y2 - y1) * b}`;
  }
  const last = points[points.length - 1];
  return `${d} L${last[0]},${last[1]}`;
}

// A graph control bar (fit, zoom) for a Graph.
export function controls(graph) {
  const bar = document.createElement('div');
  bar.className = 'graph-controls';
  const button = (label, title, fn) => {
    const b = document.createElement('button');
    b.className = 'small';
    b.textContent = label;
    b.title = title;
    b.addEventListener('click', fn);
    bar.append(b);
  };
  const zoom = (f) => {
    const box = graph.svg.getBoundingClientRect();
    const px = box.width / 2;
    const py = box.height / 2;
    const k = Math.min(3, Math.max(0.05, graph.view.k * f));
    graph.view.x = px - ((px - graph.view.x) * k) / graph.view.k;
    graph.view.y = py - ((py - graph.view.y) * k) / graph.view.k;
    graph.view.k = k;
    graph.apply();
  };
  button('+', 'Zoom in', () => zoom(1.25));
  button('−', 'Zoom out', () => zoom(0.8));
  button('Fit', 'Fit to view', () => graph.fit());
  return bar;
}
