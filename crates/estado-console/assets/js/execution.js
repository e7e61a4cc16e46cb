// One execution: status and facts, the graph coloured by state status (live), the states
// with a timeline, the event history as AWS shows it, and each state's input, output and
// data-flow stages.

import { call, toDate } from './api.js';
import { h, clear, fill, fmtDate, fmtDuration, statusBadge, copyButton, jsonBlock, pretty, tabs, link, errorBox } from './dom.js';
import { parse, ancestors } from './asl.js';
import { Graph, controls } from './graph.js';
import { loadHistory, loadNewEvents, analyse, statuses, within, mapIterations, detailsOf, stepOf } from './history.js';
import { watch } from './live.js';
import { VList } from './vlist.js';
import { stagesPanel } from './stages.js';
import { startDialog, stopDialog, redrive } from './executions.js';

const STATUS_LABEL = { running: 'In progress', succeeded: 'Succeeded', failed: 'Failed', caught: 'Caught error', cancelled: 'Cancelled', none: 'Not reached' };

export async function executionView(root, arn) {
  const t0 = performance.now();
  const [desc, forExec] = await Promise.all([
    call('DescribeExecution', { executionArn: arn }),
    call('DescribeStateMachineForExecution', { executionArn: arn }),
  ]);
  let model = null;
  try {
    model = parse(forExec.definition);
  } catch {
    model = null;
  }
  const machine = { stateMachineArn: desc.stateMachineArn, name: forExec.name };

  // ---- skeleton
  const head = h('div', { class: 'page-head' });
  const facts = h('dl', { class: 'facts', id: 'execution-facts' });
  const graphBox = h('div', { class: 'graph-box', id: 'execution-graph' });
  const side = h('div', { class: 'side', id: 'state-panel' });
  const legend = h('div', { class: 'legend' }, Object.entries(STATUS_LABEL).map(([k, v]) => h('span', { class: `key s-${k}` }, v)));
  const loading = h('div', { class: 'muted loading', id: 'history-progress' }, 'Reading history…');
  root.append(head, facts, loading, h('div', { class: 'split' }, h('div', { class: 'graph-col' }, graphBox, legend), side));

  let a = null; // the analysis
  let events = [];
  let current = desc;
  let selected = null; // { name, run index in the state's runs }
  const iterCtx = new Map(); // Map state name -> iteration thread chosen by the stepper

  const graph = model ? new Graph(model, { onSelect: (name) => selectState(name) }) : null;
  if (graph) {
    graphBox.append(controls(graph));
    graph.mount(graphBox);
  } else {
    graphBox.append(errorBox({ type: 'Definition', message: 'The definition cannot be drawn.' }));
  }

  // ---- header and facts
  const renderHead = () => {
    const e = a?.execution;
    const status = current.status;
    fill(head,
      h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'State machines'), ' / ',
        h('a', { href: link.machine(desc.stateMachineArn) }, forExec.name), ' / '),
      h('h1', null, desc.name, ' ', h('span', { id: 'execution-status' }, statusBadge(status))),
      h('div', { class: 'actions' },
        status === 'RUNNING' && h('button', { class: 'danger', id: 'stop-execution', onclick: () => stopDialog([current], refreshAll) }, 'Stop'),
        ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(status) && h('button', { id: 'redrive-execution', onclick: () => redrive([current], refreshAll) }, 'Redrive'),
        h('button', { onclick: () => startDialog(machine, pretty(current.input ?? e?.input ?? '{}')) }, 'New execution with this input')));
    const start = toDate(current.startDate);
    const stop = toDate(current.stopDate);
    const transitions = a ? a.runs.length : 0;
    fill(facts,
      h('dt', null, 'Execution ARN'), h('dd', { class: 'wide' }, h('code', null, arn), ' ', copyButton(arn)),
      h('dt', null, 'Started'), h('dd', null, fmtDate(start)),
      h('dt', null, 'Ended'), h('dd', null, fmtDate(stop)),
      h('dt', null, 'Duration'), h('dd', null, fmtDuration(stop ? stop - start : Date.now() - start)),
      h('dt', null, 'State transitions'), h('dd', { id: 'state-transitions' }, String(transitions)),
      current.redriveCount ? [h('dt', null, 'Redrives'), h('dd', null, String(current.redriveCount))] : null,
      current.error != null ? [h('dt', null, 'Error'), h('dd', { class: 'failure wide', id: 'execution-error' }, current.error)] : null,
      current.cause != null ? [h('dt', null, 'Cause'), h('dd', { class: 'failure wide', id: 'execution-cause' }, current.cause)] : null);
  };
  renderHead();

  // ---- bottom: states, events, input/output
  const statesList = new VList({
    rowHeight: 30,
    height: 360,
    header: h('div', { class: 'vrow head states-row' }, ['Name', 'Type', 'Status', 'Duration', 'Started after', 'Timeline'].map((c) => h('span', null, c))),
    renderRow: (i) => stateRow(i),
  });
  const eventsList = new VList({
    rowHeight: 30,
    height: 420,
    expandedHeight: () => 280,
    header: h('div', { class: 'vrow head events-row' }, ['ID', 'Type', 'Step', 'Resource', 'Started after', 'Date and time'].map((c) => h('span', null, c))),
    renderRow: (i, expanded) => eventRow(i, expanded),
  });
  const bottom = tabs([
    { id: 'states', label: 'States', render: () => { requestAnimationFrame(() => statesList.redraw()); return statesList.el; } },
    { id: 'events', label: 'Events', render: () => { requestAnimationFrame(() => eventsList.redraw()); return eventsList.el; } },
    { id: 'io', label: 'Execution input and output', render: () => ioPanel() },
  ], 'states');
  root.append(bottom.el);

  const startMs = () => (a?.execution.start ?? current.startDate) * 1000;
  const endMs = () => (a?.execution.end ? a.execution.end * 1000 : Date.now());

  function stateRow(i) {
    const run = a.runs[i];
    const s0 = startMs();
    const total = Math.max(1, endMs() - s0);
    const from = run.entered * 1000 - s0;
    const to = (run.exited != null ? run.exited * 1000 : endMs()) - s0;
    const bar = h('span', { class: 'timeline' }, h('i', { class: `s-${run.status}`, style: { left: `${(100 * from) / total}%`, width: `${Math.max(0.4, (100 * (to - from)) / total)}%` } }));
    const t = a.threads[run.thread];
    const where = t.kind === 'iteration' ? ` [${t.index}]` : t.kind === 'branch' ? ` (branch ${t.index + 1})` : '';
    return h('div', { class: `vrow states-row${selected?.run === run ? ' selected' : ''}`, onclick: () => selectRun(run) },
      h('span', { class: 'name' }, run.name, h('small', { class: 'muted' }, where)),
      h('span', null, run.type),
      h('span', null, h('span', { class: `dot s-${run.status}` }), STATUS_LABEL[run.status]),
      h('span', null, fmtDuration(to - from)),
      h('span', null, fmtDuration(from)),
      bar);
  }

  function eventRow(i, expanded) {
    const e = events[i];
    const d = detailsOf(e);
    const failed = /Failed|TimedOut|Aborted/.test(e.type);
    const row = h('div', { class: `vrow events-row${failed ? ' failed' : ''}${expanded ? ' expanded' : ''}`, onclick: () => eventsList.toggle(i), 'data-event': e.id },
      h('span', null, h('span', { class: 'caret' }, expanded ? '▾' : '▸'), ' ', String(e.id)),
      h('span', null, e.type),
      h('span', null, a ? stepOf(a, e) : ''),
      h('span', { class: 'resource' }, d?.resource ? `${d.resourceType ? `${d.resourceType}:` : ''}${d.resource}` : ''),
      h('span', null, fmtDuration(e.timestamp * 1000 - startMs())),
      h('span', null, fmtDate(toDate(e.timestamp))));
    if (!expanded) return row;
    return h('div', { class: 'event-wrap' }, row, h('div', { class: 'event-details', onclick: (ev) => ev.stopPropagation() }, jsonBlock(JSON.stringify(expandEvent(e)))));
  }

  function ioPanel() {
    return h('div', { class: 'io' },
      h('div', null, h('h3', null, 'Input'), jsonBlock(current.input ?? a?.execution.input)),
      h('div', null, h('h3', null, 'Output'), current.output != null ? jsonBlock(current.output) : h('p', { class: 'muted' }, current.status === 'RUNNING' ? 'Not finished yet.' : 'No output.')));
  }

  // ---- selection: state, run, map iteration
  const runsOf = (name) => {
    if (!a) return [];
    let runs = a.runs.filter((r) => r.name === name);
    for (const m of model ? ancestors(model, name) : []) {
      if (model.states.get(m)?.type !== 'Map' || !iterCtx.has(m)) continue;
      const t = iterCtx.get(m);
      runs = runs.filter((r) => within(a, r.thread, t));
    }
    return runs;
  };

  function selectState(name, run) {
    const runs = runsOf(name);
    const index = run ? runs.indexOf(run) : runs.length - 1;
    selected = { name, index: Math.max(index, 0), run: runs[Math.max(index, 0)] || null };
    graph?.select(name);
    renderSide();
    statesList.redraw();
  }

  function selectRun(run) {
    // Stepping into a run inside a Map iteration selects that iteration too.
    for (let t = run.thread; t > 0; t = a.threads[t].parent) {
      const th = a.threads[t];
      if (th.kind === 'iteration' && th.mapName) iterCtx.set(th.mapName, t);
    }
    recolor();
    selectState(run.name, run);
    graph?.focus(run.name);
  }

  function renderSide() {
    clear(side);
    if (!selected) {
      side.append(h('h3', null, 'Select a state'), h('p', { class: 'muted' }, 'Click a state in the graph or in the table below to see its input, output and data-flow stages.'));
      return;
    }
    const { name } = selected;
    const st = model?.states.get(name);
    const runs = runsOf(name);
    const run = runs[selected.index] || null;
    selected.run = run;
    const status = run?.status || 'none';
    side.append(h('div', { class: 'state-head' },
      h('h3', { id: 'selected-state' }, name),
      h('span', { class: 'muted' }, st?.type || ''), ' ',
      h('span', { class: `pill s-${status}` }, STATUS_LABEL[status])));
    if (runs.length > 1) {
      const t = a.threads[run.thread];
      side.append(h('div', { class: 'stepper' },
        h('button', { class: 'small', disabled: selected.index === 0, onclick: () => { selected.index--; renderSide(); } }, '‹'),
        h('span', null, `Run ${selected.index + 1} of ${runs.length}`, t.kind === 'iteration' ? ` (iteration ${t.index})` : ''),
        h('button', { class: 'small', disabled: selected.index === runs.length - 1, onclick: () => { selected.index++; renderSide(); } }, '›')));
    }
    if (st?.type === 'Map' && run) side.append(mapStepper(name, run));
    if (!run) {
      side.append(h('p', { class: 'muted' }, 'This state has not run.'));
      return;
    }
    if (run.failure && (run.lastAttemptFailed || run.failed)) {
      side.append(h('div', { class: 'error-box' }, h('strong', null, run.failure.error || 'Error'), h('div', null, run.failure.cause || '')));
    }
    const runEvents = () => h('ul', { class: 'run-events' }, run.events.map((id) => {
      const e = a.byId[id];
      return h('li', null, h('a', { href: 'javascript:void 0', onclick: () => { bottom.show('events'); eventsList.scrollTo(id - 1); } }, `${id} ${e.type}`));
    }));
    const panel = tabs([
      { id: 'input', label: 'Input', render: () => h('div', { id: 'state-input' }, jsonBlock(run.input)) },
      { id: 'output', label: 'Output', render: () => h('div', { id: 'state-output' }, run.output != null ? jsonBlock(run.output) : h('p', { class: 'muted' }, status === 'running' ? 'Still running.' : 'No output.')) },
      { id: 'stages', label: model?.queryLanguage === 'JSONata' || st?.def.QueryLanguage === 'JSONata' ? 'Data flow' : 'JSONPath stages', render: () => stagesPanel(model, a, run) },
      { id: 'run-events', label: `Events (${run.events.length})`, render: runEvents },
    ], side.dataset.tab || 'input');
    panel.el.addEventListener('click', (e) => {
      const tab = e.target.closest('[data-tab]');
      if (tab) side.dataset.tab = tab.dataset.tab;
    });
    side.append(panel.el);
  }

  function mapStepper(name, run) {
    const its = mapIterations(a, run);
    const box = h('div', { class: 'map-stepper', id: 'map-stepper' });
    if (!its.length) {
      box.append(h('span', { class: 'muted' }, 'No iterations.'));
      return box;
    }
    const current = iterCtx.has(name) ? its.findIndex(([, t]) => t === iterCtx.get(name)) : -1;
    const set = (i) => {
      if (i < 0) iterCtx.delete(name);
      else iterCtx.set(name, its[i][1]);
      recolor();
      renderSide();
    };
    const input = h('input', { type: 'number', min: 0, max: its.length - 1, value: current < 0 ? '' : its[current][0], placeholder: 'all', 'aria-label': 'Iteration index' });
    input.addEventListener('change', () => {
      const i = its.findIndex(([idx]) => idx === Number(input.value));
      set(input.value === '' ? -1 : i);
    });
    const itStatus = (t) => a.threads[t].end || 'running';
    fill(box,
      h('strong', null, 'Iterations '),
      h('button', { class: 'small', disabled: current <= 0, onclick: () => set(current - 1) }, '‹'),
      input,
      h('button', { class: 'small', disabled: current >= its.length - 1, onclick: () => set(current + 1) }, '›'),
      h('span', { class: 'muted' }, current < 0 ? ` all ${its.length} shown together` : ` of ${its.length}: ${itStatus(its[current][1])}`),
      current >= 0 ? h('button', { class: 'small link', onclick: () => set(-1) }, 'show all') : null);
    return box;
  }

  function recolor() {
    if (!graph || !a) return;
    const all = statuses(a);
    for (const [mapName, t] of iterCtx) {
      const st = model.states.get(mapName);
      if (!st?.processor) continue;
      const inIt = statuses(a, (x) => within(a, x, t));
      const inside = (sc) => {
        for (const n of sc.names) {
          all.set(n, inIt.get(n) || 'none');
          const s = model.states.get(n);
          for (const b of s.branches || []) inside(b);
          if (s.processor) inside(s.processor);
        }
      };
      inside(st.processor);
    }
    graph.setStatus(all);
  }

  // ---- data
  let lastRender = 0;
  const apply = (final) => {
    a = analyse(events);
    recolor();
    statesList.setCount(a.runs.length);
    eventsList.setCount(events.length);
    renderHead();
    if (selected) renderSide();
    if (final && !loading.dataset.done) {
      loading.textContent = `${events.length} events read and drawn in ${Math.round(performance.now() - t0)} ms`;
      loading.dataset.done = 'true';
      loading.dataset.ms = String(Math.round(performance.now() - t0));
    } else if (final) {
      loading.textContent = `${events.length} events`;
    }
  };
  events = await loadHistory(arn, (evs, done) => {
    events = evs;
    loading.textContent = `Reading history… ${evs.length} events`;
    const now = performance.now();
    if (done || now - lastRender > 400) {
      lastRender = now;
      apply(done);
    }
  });
  if (!selected) renderSide();

  async function refreshAll() {
    current = await call('DescribeExecution', { executionArn: arn });
    await update();
  }

  async function update() {
    const last = events.length ? events[events.length - 1].id : 0;
    const fresh = await loadNewEvents(arn, last);
    if (!fresh.length) return;
    events = events.concat(fresh);
    const wasRunning = current.status === 'RUNNING';
    const ended = fresh.some((e) => /^Execution(Succeeded|Failed|TimedOut|Aborted|Redriven)$/.test(e.type));
    if (ended || wasRunning) current = await call('DescribeExecution', { executionArn: arn });
    apply(true);
  }

  return watch(arn, update);
}

// An event with its JSON-string members shown as JSON.
function expandEvent(e) {
  const out = JSON.parse(JSON.stringify(e));
  const d = detailsOf(out);
  if (d) {
    for (const k of ['input', 'output', 'parameters', 'result']) {
      if (typeof d[k] === 'string') {
        try {
          d[k] = JSON.parse(d[k]);
        } catch {
          // leave text that is not JSON as it is
        }
      }
    }
  }
  out.timestamp = new Date(e.timestamp * 1000).toISOString();
  return out;
}
