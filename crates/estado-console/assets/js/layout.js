// A layered (Sugiyama-style) graph layout, sized for state machines.
//
// Why not dagre or elkjs: on a 500-state chain whose tasks all Catch into one handler, dagre
// 3.1 took 12.6 s and elkjs 0.12 5.5 s (node 20, this machine): both route every long edge
// through its own chain of dummy nodes. Here long edges into the same node share one "bus" of
// dummies, which keeps such graphs both fast (tens of milliseconds) and readable.
//
// Steps: cycles broken by a depth-first search (back edges are laid out reversed and drawn
// upwards); ranks by longest path; long edges become shared dummy chains; order within a rank
// by barycenter sweeps; x by repeated isotonic regression (each vertex pulled towards its
// neighbours, order and spacing kept); y by rank.
//
// layered(nodes [{id, w, h}], edges [{from, to, ...}], options) ->
//   { width, height, pos: Map(id -> {x, y, w, h}) (centres), edges: [{...edge, points, back, loop}] }

export function layered(nodes, edges, opt = {}) {
  const nodesep = opt.nodesep ?? 28;
  const ranksep = opt.ranksep ?? 42;
  const margin = opt.margin ?? 14;
  const labelSpace = opt.labelSpace ?? 14;

  const n = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const es = [];
  for (const e of edges) {
    const u = index.get(e.from);
    const v = index.get(e.to);
    if (u != null && v != null) es.push({ e, u, v, back: false });
  }
  const outs = Array.from({ length: n }, () => []);
  es.forEach((x, k) => outs[x.u].push(k));

  // 1. Depth-first search from the first node (the start), then from any node left over.
  const disc = new Int32Array(n).fill(-1);
  const mark = new Uint8Array(n); // 0 unseen, 1 on the stack, 2 done
  let counter = 0;
  const dfs = (root) => {
    const stack = [[root, 0]];
    mark[root] = 1;
    disc[root] = counter++;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [u, i] = top;
      if (i >= outs[u].length) {
        mark[u] = 2;
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      const x = es[outs[u][i]];
      if (x.u === x.v) continue;
      if (mark[x.v] === 1) x.back = true;
      else if (mark[x.v] === 0) {
        mark[x.v] = 1;
        disc[x.v] = counter++;
        stack.push([x.v, 0]);
      }
    }
  };
  for (let i = 0; i < n; i++) if (mark[i] === 0) dfs(i);

  // 2. Ranks: longest path over the acyclic graph (back edges reversed).
  const rank = new Int32Array(n);
  const indeg = new Int32Array(n);
  const dagOut = Array.from({ length: n }, () => []);
  for (const x of es) {
    if (x.u === x.v) continue;
    const [a, b] = x.back ? [x.v, x.u] : [x.u, x.v];
    dagOut[a].push(b);
    indeg[b]++;
  }
  const queue = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  queue.sort((a, b) => disc[a] - disc[b]);
  for (let qi = 0; qi < queue.length; qi++) {
    const a = queue[qi];
    for (const b of dagOut[a]) {
      if (rank[b] < rank[a] + 1) rank[b] = rank[a] + 1;
      if (--indeg[b] === 0) queue.push(b);
    }
  }
  let maxRank = 0;
  for (let i = 0; i < n; i++) maxRank = Math.max(maxRank, rank[i]);

  // 3. Vertices: the nodes, then dummies; long edges into the same node share a bus.
  const vw = nodes.map((node) => node.w);
  const vh = nodes.map((node) => node.h);
  const vrank = Array.from(rank);
  const vkey = Array.from(disc);
  const vdummy = nodes.map(() => false);
  const preds = Array.from({ length: n }, () => []);
  const succs = Array.from({ length: n }, () => []);
  const bus = new Map();
  const link = (a, b) => {
    if (!succs[a].includes(b)) {
      succs[a].push(b);
      preds[b].push(a);
    }
  };
  const paths = es.map((x) => {
    if (x.u === x.v) return null;
    const [a, b] = x.back ? [x.v, x.u] : [x.u, x.v];
    const chain = [a];
    for (let r = rank[a] + 1; r < rank[b]; r++) {
      const key = `${b}:${r}:${x.back ? 'b' : 'f'}`;
      let d = bus.get(key);
      if (d == null) {
        d = vw.length;
        vw.push(0);
        vh.push(0);
        vrank.push(r);
        vkey.push(disc[a] + 0.5);
        vdummy.push(true);
        preds.push([]);
        succs.push([]);
        bus.set(key, d);
      }
      chain.push(d);
    }
    chain.push(b);
    for (let i = 1; i < chain.length; i++) link(chain[i - 1], chain[i]);
    return chain;
  });
  const V = vw.length;
  const layers = Array.from({ length: maxRank + 1 }, () => []);
  for (let v = 0; v < V; v++) layers[vrank[v]].push(v);
  for (const layer of layers) layer.sort((a, b) => vkey[a] - vkey[b]);

  // 4. Order within ranks: barycenter sweeps.
  const pos = new Float64Array(V);
  const renumber = (layer) => layer.forEach((v, i) => (pos[v] = i));
  layers.forEach(renumber);
  const bary = new Float64Array(V);
  const sweep = (down) => {
    const from = down ? 1 : maxRank - 1;
    const to = down ? maxRank + 1 : -1;
    for (let r = from; r !== to; r += down ? 1 : -1) {
      const layer = layers[r];
      for (const v of layer) {
        const adj = down ? preds[v] : succs[v];
        if (adj.length === 0) bary[v] = pos[v];
        else {
          let s = 0;
          for (const a of adj) s += pos[a];
          bary[v] = s / adj.length;
        }
      }
      layer.sort((a, b) => bary[a] - bary[b] || pos[a] - pos[b]);
      renumber(layer);
    }
  };
  for (let i = 0; i < 3; i++) {
    sweep(true);
    sweep(false);
  }
  sweep(true);

  // 5. x: each vertex pulled to the mean of its neighbours, order and spacing kept.
  const x = new Float64Array(V);
  const sep = (a, b) => vw[a] / 2 + vw[b] / 2 + (vdummy[a] || vdummy[b] ? nodesep / 3 : nodesep);
  for (const layer of layers) {
    let cur = 0;
    layer.forEach((v, i) => {
      if (i > 0) cur += sep(layer[i - 1], v);
      x[v] = cur;
    });
    const shift = cur / 2;
    for (const v of layer) x[v] -= shift;
  }
  const desired = new Float64Array(V);
  const place = (layer) => {
    // Isotonic regression (pool adjacent violators) on x minus the cumulative spacing.
    const k = layer.length;
    const off = new Float64Array(k);
    for (let i = 1; i < k; i++) off[i] = off[i - 1] + sep(layer[i - 1], layer[i]);
    const bw = [];
    const bs = [];
    const bn = [];
    for (let i = 0; i < k; i++) {
      const w = vdummy[layer[i]] ? 0.5 : 1;
      bw.push(w);
      bs.push(w * (desired[layer[i]] - off[i]));
      bn.push(1);
      while (bw.length > 1 && bs[bs.length - 2] / bw[bw.length - 2] > bs[bs.length - 1] / bw[bw.length - 1]) {
        bw[bw.length - 2] += bw.pop();
        bs[bs.length - 2] += bs.pop();
        bn[bn.length - 2] += bn.pop();
      }
    }
    let i = 0;
    for (let b = 0; b < bw.length; b++) {
      const y = bs[b] / bw[b];
      for (let j = 0; j < bn[b]; j++, i++) x[layer[i]] = y + off[i];
    }
  };
  const pull = (down) => {
    const from = down ? 1 : maxRank - 1;
    const to = down ? maxRank + 1 : -1;
    for (let r = from; r !== to; r += down ? 1 : -1) {
      const layer = layers[r];
      for (const v of layer) {
        const adj = down ? preds[v] : succs[v];
        if (adj.length === 0) desired[v] = x[v];
        else {
          let s = 0;
          for (const a of adj) s += x[a];
          desired[v] = s / adj.length;
        }
      }
      place(layer);
    }
  };
  for (let i = 0; i < 4; i++) {
    pull(true);
    pull(false);
  }
  pull(true);

  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < V; v++) {
    minX = Math.min(minX, x[v] - vw[v] / 2);
    maxX = Math.max(maxX, x[v] + vw[v] / 2);
  }
  for (let v = 0; v < V; v++) x[v] += margin - minX;

  // 6. y by rank; a rank whose edges carry labels gets room for them.
  const labelled = new Uint8Array(maxRank + 1);
  es.forEach((e) => {
    if (e.e.label && !e.back) labelled[rank[e.u]] = 1;
  });
  const top = new Float64Array(maxRank + 1);
  const height = new Float64Array(maxRank + 1);
  for (let v = 0; v < V; v++) height[vrank[v]] = Math.max(height[vrank[v]], vh[v]);
  let y = margin;
  for (let r = 0; r <= maxRank; r++) {
    top[r] = y;
    y += height[r] + ranksep + (labelled[r] ? labelSpace : 0);
  }
  const yc = (v) => top[vrank[v]] + height[vrank[v]] / 2;

  const posOut = new Map();
  nodes.forEach((node, i) => posOut.set(node.id, { x: x[i], y: yc(i), w: node.w, h: node.h }));
  const edgesOut = es.map((ex, k) => {
    const { u, v } = ex;
    if (u === v) return { ...ex.e, loop: true, points: [] };
    const chain = paths[k];
    const points = [];
    if (!ex.back) {
      points.push([x[u], yc(u) + vh[u] / 2]);
      for (let i = 1; i < chain.length - 1; i++) points.push([x[chain[i]], yc(chain[i])]);
      points.push([x[v], yc(v) - vh[v] / 2]);
    } else {
      // Drawn upwards beside the forward edges: leave and enter on the right-hand side.
      const dx = (w) => Math.min(w / 2 - 8, 30);
      points.push([x[u] + dx(vw[u]), yc(u) - vh[u] / 2]);
      for (let i = chain.length - 2; i >= 1; i--) points.push([x[chain[i]], yc(chain[i])]);
      if (chain.length === 2) {
        const bend = Math.max(x[u] + vw[u] / 2, x[v] + vw[v] / 2) + 18;
        const mid = (yc(u) + yc(v)) / 2;
        points.push([bend, mid]);
      }
      points.push([x[v] + dx(vw[v]), yc(v) + vh[v] / 2]);
    }
    return { ...ex.e, back: ex.back, points };
  });
  return { width: maxX - minX + 2 * margin, height: y - ranksep + margin, pos: posOut, edges: edgesOut };
}
