// A state machine's executions: status filter, search by name, pages; start, stop, redrive.

import { call, toDate } from './api.js';
import { h, clear, fmtDate, fmtDuration, statusBadge, modal, toast, errorBox, link } from './dom.js';
import { watch } from './live.js';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

// Renders the list into `root`; returns a function that stops its live updates.
export function executionsList(root, machine) {
  const status = h('select', { id: 'status-filter', 'aria-label': 'Status' },
    STATUSES.map((s) => h('option', { value: s }, s || 'All statuses')));
  const search = h('input', { id: 'name-search', type: 'search', placeholder: 'Search by name', 'aria-label': 'Search by name' });
  const size = h('select', { 'aria-label': 'Page size' }, [25, 50, 100].map((n) => h('option', { value: n }, `${n} per page`)));
  const stopBtn = h('button', { id: 'stop-selected', disabled: true, onclick: () => stopDialog([...selected.values()], reload) }, 'Stop');
  const redriveBtn = h('button', { id: 'redrive-selected', disabled: true, onclick: () => redrive([...selected.values()], reload) }, 'Redrive');
  const prev = h('button', { disabled: true, onclick: () => go(page - 1) }, '‹ Previous');
  const next = h('button', { disabled: true, onclick: () => go(page + 1) }, 'Next ›');
  const pageNo = h('span', { class: 'muted' });
  const body = h('tbody');
  const note = h('div', { class: 'muted small-note' });
  root.append(
    h('div', { class: 'toolbar' }, status, search, size, h('span', { class: 'grow' }), stopBtn, redriveBtn,
      h('button', { class: 'primary', onclick: () => startDialog(machine) }, 'Start execution')),
    h('table', { class: 'grid', id: 'executions' },
      h('thead', null, h('tr', null, h('th', { class: 'check' }), h('th', null, 'Name'), h('th', null, 'Status'),
        h('th', null, 'Started'), h('th', null, 'Ended'), h('th', null, 'Duration'))),
      body),
    h('div', { class: 'pager' }, prev, pageNo, next, note));

  const selected = new Map();
  let cursors = [{ token: null, buffer: [], done: false }];
  let page = 0;
  let generation = 0;

  const updateButtons = () => {
    const list = [...selected.values()];
    stopBtn.disabled = !list.length || !list.every((e) => e.status === 'RUNNING');
    redriveBtn.disabled = !list.length || !list.every((e) => REDRIVABLE.has(e.status));
  };

  // Up to `n` executions matching the name search from `cursor`; ListExecutions pages are
  // read as far as needed (1000 at a time while searching, since the API has no name filter).
  const fetchPage = async (cursor, n) => {
    const term = search.value.trim().toLowerCase();
    const items = [];
    let { token, buffer, done } = cursor;
    buffer = [...buffer];
    let scanned = 0;
    while (items.length < n) {
      if (buffer.length) {
        items.push(buffer.shift());
        continue;
      }
      if (done) break;
      const input = { stateMachineArn: machine.stateMachineArn, maxResults: term ? 1000 : n };
      if (status.value) input.statusFilter = status.value;
      if (token) input.nextToken = token;
      const res = await call('ListExecutions', input);
      scanned += res.executions.length;
      buffer = term ? res.executions.filter((e) => e.name.toLowerCase().includes(term)) : res.executions;
      token = res.nextToken || null;
      done = !token;
    }
    return { items, next: { token, buffer, done }, scanned };
  };

  const go = async (p) => {
    const gen = ++generation;
    const n = Number(size.value);
    try {
      const { items, next: after, scanned } = await fetchPage(cursors[p], n);
      if (gen !== generation) return;
      page = p;
      cursors = cursors.slice(0, p + 1);
      cursors.push(after);
      render(items);
      prev.disabled = p === 0;
      next.disabled = after.done && !after.buffer.length;
      pageNo.textContent = `Page ${p + 1}`;
      note.textContent = search.value.trim() ? `searched ${scanned} executions by name` : '';
    } catch (e) {
      clear(body).append(h('tr', null, h('td', { colspan: 6 }, errorBox(e))));
    }
  };

  const render = (items) => {
    clear(body);
    const keep = new Set(items.map((e) => e.executionArn));
    for (const arn of [...selected.keys()]) if (!keep.has(arn)) selected.delete(arn);
    if (!items.length) body.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No executions match.')));
    for (const e of items) {
      const start = toDate(e.startDate);
      const stop = toDate(e.stopDate);
      const box = h('input', { type: 'checkbox', 'aria-label': `Select ${e.name}`, onchange: () => {
        if (box.checked) selected.set(e.executionArn, e);
        else selected.delete(e.executionArn);
        updateButtons();
      } });
      box.checked = selected.has(e.executionArn);
      if (box.checked) selected.set(e.executionArn, e);
      body.append(h('tr', { 'data-execution': e.name },
        h('td', { class: 'check' }, box),
        h('td', null, h('a', { href: link.execution(e.executionArn) }, e.name)),
        h('td', null, statusBadge(e.status)),
        h('td', null, fmtDate(start)),
        h('td', null, fmtDate(stop)),
        h('td', null, fmtDuration(stop && start ? stop - start : start ? Date.now() - start : null))));
    }
    updateButtons();
  };

  const reload = () => {
    cursors = [{ token: null, buffer: [], done: false }];
    go(0);
  };
  status.addEventListener('change', reload);
  size.addEventListener('change', reload);
  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(reload, 250);
  });
  reload();
  // Live: re-read the page in view when anything advances.
  return watch(null, () => go(page));
}

export function startDialog(machine, initialInput = '{\n  \n}') {
  const name = h('input', { id: 'execution-name', placeholder: 'optional: a unique name', maxlength: 80 });
  const input = h('textarea', { id: 'execution-input', rows: 12, spellcheck: 'false' }, initialInput);
  const problem = h('div', { class: 'input-problem', role: 'status' });
  let startBtn;
  const check = () => {
    try {
      JSON.parse(input.value);
      problem.textContent = 'Valid JSON';
      problem.className = 'input-problem ok';
      startBtn.disabled = false;
    } catch (e) {
      problem.textContent = `Invalid JSON: ${e.message}`;
      problem.className = 'input-problem bad';
      startBtn.disabled = true;
    }
  };
  const body = h('div', { class: 'form' },
    h('label', null, 'Name', name),
    h('label', null, 'Input (JSON)', input),
    problem,
    h('div', null, h('button', { class: 'small', onclick: () => {
      try {
        input.value = JSON.stringify(JSON.parse(input.value), null, 2);
      } catch {
        // the message already says why
      }
    } }, 'Format')));
  const { close } = modal(`Start an execution of ${machine.name}`, body, (close) => [
    h('button', { onclick: close }, 'Cancel'),
    (startBtn = h('button', { class: 'primary', id: 'confirm-start', onclick: async () => {
      startBtn.disabled = true;
      try {
        const req = { stateMachineArn: machine.stateMachineArn, input: input.value };
        if (name.value.trim()) req.name = name.value.trim();
        const res = await call('StartExecution', req);
        close();
        location.hash = link.execution(res.executionArn);
      } catch (e) {
        problem.textContent = `${e.type}: ${e.message}`;
        problem.className = 'input-problem bad';
        startBtn.disabled = false;
      }
    } }, 'Start')),
  ]);
  input.addEventListener('input', check);
  check();
  input.focus();
  return close;
}

export function stopDialog(executions, done) {
  const error = h('input', { id: 'stop-error', placeholder: 'optional error name' });
  const cause = h('input', { id: 'stop-cause', placeholder: 'optional cause' });
  modal(`Stop ${executions.length === 1 ? executions[0].name : `${executions.length} executions`}`,
    h('div', { class: 'form' }, h('label', null, 'Error', error), h('label', null, 'Cause', cause)),
    (close) => [
      h('button', { onclick: close }, 'Cancel'),
      h('button', { class: 'danger', id: 'confirm-stop', onclick: async () => {
        for (const e of executions) {
          try {
            const req = { executionArn: e.executionArn };
            if (error.value) req.error = error.value;
            if (cause.value) req.cause = cause.value;
            await call('StopExecution', req);
          } catch (err) {
            toast(`${e.name}: ${err.type}: ${err.message}`);
          }
        }
        close();
        done?.();
      } }, 'Stop'),
    ]);
}

export async function redrive(executions, done) {
  for (const e of executions) {
    try {
      await call('RedriveExecution', { executionArn: e.executionArn });
      toast(`Redriven: ${e.name}`, 'info');
    } catch (err) {
      toast(`${e.name}: ${err.type}: ${err.message}`);
    }
  }
  done?.();
}
