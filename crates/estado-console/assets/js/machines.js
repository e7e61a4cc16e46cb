// State machines: the list, and one machine's page (executions; graph and definition).

import { call, all, toDate } from './api.js';
import { h, clear, fmtDate, statusBadge, copyButton, errorBox, tabs, jsonBlock, link } from './dom.js';
import { parse } from './asl.js';
import { Graph, controls } from './graph.js';
import { watch } from './live.js';
import { executionsList, startDialog } from './executions.js';

export async function machinesView(root) {
  const body = h('tbody');
  const count = h('span', { class: 'muted' });
  root.append(
    h('div', { class: 'page-head' }, h('h1', null, 'State machines ', count)),
    h('table', { class: 'grid', id: 'machines' },
      h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Type'), h('th', null, 'Created'), h('th', null, 'Last execution'))),
      body));
  const machines = await all('ListStateMachines', { maxResults: 1000 }, 'stateMachines');
  count.textContent = `(${machines.length})`;
  if (!machines.length) {
    body.append(h('tr', null, h('td', { colspan: 4, class: 'muted' },
      'No state machines yet. Create one with the API, for example: aws stepfunctions create-state-machine …')));
    return null;
  }
  const last = new Map();
  for (const m of machines) {
    const cell = h('td', { class: 'last-exec' }, h('span', { class: 'muted' }, '…'));
    last.set(m.stateMachineArn, cell);
    body.append(h('tr', null,
      h('td', null, h('a', { href: link.machine(m.stateMachineArn) }, m.name)),
      h('td', null, m.type),
      h('td', null, fmtDate(toDate(m.creationDate))),
      cell));
  }
  // The last execution of each machine: one small ListExecutions per row, a few at a time.
  const refresh = async () => {
    const queue = machines.slice(0, 200);
    const worker = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const cell = last.get(m.stateMachineArn);
        try {
          const { executions } = await call('ListExecutions', { stateMachineArn: m.stateMachineArn, maxResults: 1 });
          const e = executions[0];
          clear(cell).append(e
            ? h('span', null, statusBadge(e.status), ' ', h('a', { href: link.execution(e.executionArn) }, fmtDate(toDate(e.startDate))))
            : h('span', { class: 'muted' }, 'none'));
        } catch (err) {
          clear(cell).append(h('span', { class: 'muted', title: err.message }, err.type));
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  };
  await refresh();
  return watch(null, refresh);
}

export async function machineView(root, arn) {
  const m = await call('DescribeStateMachine', { stateMachineArn: arn });
  let model = null;
  let modelError = null;
  try {
    model = parse(m.definition);
  } catch (e) {
    modelError = e;
  }
  root.append(
    h('div', { class: 'page-head' },
      h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'State machines'), ' / '),
      h('h1', null, m.name, ' ', h('span', { class: 'badge' }, m.type)),
      h('div', { class: 'actions' }, h('button', { class: 'primary', id: 'start-execution', onclick: () => startDialog(m) }, 'Start execution'))),
    h('dl', { class: 'facts' },
      h('dt', null, 'ARN'), h('dd', null, h('code', null, arn), ' ', copyButton(arn)),
      h('dt', null, 'Status'), h('dd', null, m.status || 'ACTIVE'),
      h('dt', null, 'Created'), h('dd', null, fmtDate(toDate(m.creationDate))),
      h('dt', null, 'Role'), h('dd', null, h('code', null, m.roleArn || '—'))));
  let stopList = null;
  const t = tabs([
    {
      id: 'executions',
      label: 'Executions',
      render: () => {
        const box = h('div');
        stopList?.();
        stopList = executionsList(box, m);
        return box;
      },
    },
    {
      id: 'definition',
      label: 'Definition',
      render: () => {
        stopList?.();
        stopList = null;
        return definitionPanel(model, modelError, m.definition);
      },
    },
  ], 'executions');
  root.append(t.el);
  return () => stopList?.();
}

// The graph and the definition's JSON side by side.
export function definitionPanel(model, modelError, definitionText, onSelect) {
  const graphBox = h('div', { class: 'graph-box' });
  const json = jsonBlock(definitionText, 'definition');
  const panel = h('div', { class: 'split' }, graphBox, h('div', { class: 'side' }, h('h3', null, 'Definition'), json));
  if (modelError) {
    graphBox.append(errorBox({ type: 'Definition', message: modelError.message }));
    return panel;
  }
  const graph = new Graph(model, {
    onSelect: (name) => {
      graph.select(name);
      // Highlight the state's part of the JSON.
      const text = json.textContent;
      const at = text.indexOf(`"${name}": {`);
      if (at >= 0) {
        const sel = window.getSelection();
        const range = document.createRange();
        const node = json.firstChild;
        range.setStart(node, at);
        range.setEnd(node, at + name.length + 2);
        sel.removeAllRanges();
        sel.addRange(range);
        const lines = text.slice(0, at).split('\n').length;
        json.scrollTop = Math.max(0, (lines - 3) * 17);
      }
      onSelect?.(name);
    },
  });
  graphBox.append(controls(graph));
  requestAnimationFrame(() => graph.mount(graphBox));
  panel.graph = graph;
  return panel;
}
