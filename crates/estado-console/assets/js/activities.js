// Activities, and the tasks waiting for an answer.
//
// No public API lists waiting task tokens, so they are read from the histories of running
// executions: an open ActivityScheduled (waiting for a worker) or ActivityStarted (a worker
// holds the token; only it has the token), and an open TaskScheduled of a `.waitForTaskToken`
// resource, whose token is the value the state's Parameters (or Arguments) put where the
// definition says `$$.Task.Token` (`$states.context.Task.Token` in JSONata).
// For an activity that waits for a worker, the console can act as the worker: GetActivityTask
// hands it the task and its token like any worker.

import { call, all, toDate } from './api.js';
import { h, clear, fmtDate, copyButton, jsonBlock, modal, toast, errorBox, link } from './dom.js';
import { analyse, detailsOf } from './history.js';
import { loadHistory } from './history.js';
import { parse } from './asl.js';

const SCAN_LIMIT = 100;

export async function activitiesView(root) {
  const actBody = h('tbody');
  const waitBody = h('tbody');
  const scanNote = h('p', { class: 'muted' }, 'Reading running executions…');
  root.append(
    h('div', { class: 'page-head' }, h('h1', null, 'Activities')),
    h('table', { class: 'grid', id: 'activities' },
      h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'ARN'), h('th', null, 'Created'), h('th', null, ''))),
      actBody),
    h('div', { class: 'page-head' }, h('h2', null, 'Tasks waiting for an answer')),
    scanNote,
    h('table', { class: 'grid', id: 'waiting' },
      h('thead', null, h('tr', null, h('th', null, 'Execution'), h('th', null, 'State'), h('th', null, 'Kind'), h('th', null, 'Since'), h('th', null, 'Task token'), h('th', null, ''))),
      waitBody));

  const activities = await all('ListActivities', { maxResults: 1000 }, 'activities');
  if (!activities.length) actBody.append(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No activities.')));
  for (const act of activities) {
    actBody.append(h('tr', null,
      h('td', null, act.name),
      h('td', null, h('code', null, act.activityArn), ' ', copyButton(act.activityArn)),
      h('td', null, fmtDate(toDate(act.creationDate))),
      h('td', null, h('button', { class: 'small', 'data-worker': act.name, onclick: () => actAsWorker(act) }, 'Get a task as a worker'))));
  }

  const waiting = await scanWaiting();
  scanNote.textContent = `Found in ${waiting.scanned} running execution(s)${waiting.truncated ? ` (the ${SCAN_LIMIT} newest)` : ''}.`;
  if (!waiting.items.length) waitBody.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No task is waiting.')));
  for (const w of waiting.items) {
    waitBody.append(h('tr', null,
      h('td', null, h('a', { href: link.execution(w.executionArn) }, w.executionName)),
      h('td', null, w.state),
      h('td', null, w.kind),
      h('td', null, fmtDate(toDate(w.since))),
      h('td', { class: 'token' }, w.token ? [h('code', { title: w.token }, `${w.token.slice(0, 24)}…`), ' ', copyButton(w.token, 'Copy token')] : h('span', { class: 'muted' }, w.note)),
      h('td', null, w.token ? answerButtons(w.token) : null)));
  }
  return null;
}

async function scanWaiting() {
  const machines = await all('ListStateMachines', { maxResults: 1000 }, 'stateMachines');
  const running = [];
  for (const m of machines) {
    if (m.type === 'EXPRESS') continue;
    const list = await call('ListExecutions', { stateMachineArn: m.stateMachineArn, statusFilter: 'RUNNING', maxResults: SCAN_LIMIT });
    running.push(...list.executions);
  }
  running.sort((x, y) => y.startDate - x.startDate);
  const truncated = running.length > SCAN_LIMIT;
  const scan = running.slice(0, SCAN_LIMIT);
  const items = [];
  for (const ex of scan) {
    const [events, forExec] = await Promise.all([
      loadHistory(ex.executionArn),
      call('DescribeStateMachineForExecution', { executionArn: ex.executionArn }),
    ]);
    let model = null;
    try {
      model = parse(forExec.definition);
    } catch {
      model = null;
    }
    const a = analyse(events);
    for (const run of a.runs) {
      if (run.status !== 'running' || !run.scheduled) continue;
      const sch = run.scheduled;
      const later = run.events.filter((id) => id > sch.id).map((id) => a.byId[id].type);
      if (later.some((t) => /Succeeded|Failed|TimedOut/.test(t))) continue;
      const base = { executionArn: ex.executionArn, executionName: ex.name, state: run.name, since: sch.timestamp };
      if (sch.type === 'ActivityScheduled') {
        const started = run.events.map((id) => a.byId[id]).find((e) => e.id > sch.id && e.type === 'ActivityStarted');
        items.push({ ...base, kind: 'activity', note: started ? `held by worker ${detailsOf(started)?.workerName || '(unnamed)'}` : 'waiting for a worker (GetActivityTask)' });
      } else if (sch.type === 'TaskScheduled' && String(detailsOf(sch)?.resource).endsWith('.waitForTaskToken')) {
        const token = model ? callbackToken(model, run.name, detailsOf(sch)?.parameters) : null;
        items.push({ ...base, kind: 'callback', token, note: 'the token is not in the task parameters' });
      }
    }
  }
  return { items, scanned: scan.length, truncated };
}

// The token in a callback task's parameters: at the place the template puts $$.Task.Token.
export function callbackToken(model, stateName, parametersText) {
  const st = model.states.get(stateName);
  const template = st?.def.Parameters ?? st?.def.Arguments;
  let params;
  try {
    params = JSON.parse(parametersText);
  } catch {
    return null;
  }
  const path = tokenPath(template);
  if (!path) return null;
  let v = params;
  for (const k of path) v = v?.[k];
  return typeof v === 'string' ? v : null;
}

function tokenPath(t, path = []) {
  if (typeof t === 'string') return /\$\$\.Task\.Token|\$states\.context\.Task\.Token/.test(t) ? path : null;
  if (!t || typeof t !== 'object') return null;
  for (const [k, v] of Object.entries(t)) {
    const key = Array.isArray(t) ? Number(k) : k.endsWith('.$') ? k.slice(0, -2) : k;
    if (typeof v === 'string' && !k.endsWith('.$') && !v.startsWith('{%')) continue;
    const p = tokenPath(v, [...path, key]);
    if (p) return p;
  }
  return null;
}

function answerButtons(token, onDone) {
  return h('span', { class: 'answer' },
    h('button', { class: 'small', onclick: () => answerDialog(token, 'success', onDone) }, 'Send success'),
    h('button', { class: 'small', onclick: () => answerDialog(token, 'failure', onDone) }, 'Send failure'));
}

function answerDialog(token, kind, onDone) {
  const output = h('textarea', { rows: 6, id: 'task-output' }, '{}');
  const error = h('input', { id: 'task-error', placeholder: 'error name' });
  const cause = h('input', { id: 'task-cause', placeholder: 'cause' });
  const body = kind === 'success'
    ? h('div', { class: 'form' }, h('label', null, 'Output (JSON)', output))
    : h('div', { class: 'form' }, h('label', null, 'Error', error), h('label', null, 'Cause', cause));
  modal(kind === 'success' ? 'Send task success' : 'Send task failure', body, (close) => [
    h('button', { onclick: close }, 'Cancel'),
    h('button', { class: 'primary', id: 'send-answer', onclick: async () => {
      try {
        if (kind === 'success') {
          JSON.parse(output.value);
          await call('SendTaskSuccess', { taskToken: token, output: output.value });
        } else {
          const req = { taskToken: token };
          if (error.value) req.error = error.value;
          if (cause.value) req.cause = cause.value;
          await call('SendTaskFailure', req);
        }
        close();
        toast('Sent', 'info');
        onDone?.();
      } catch (e) {
        toast(`${e.type || 'Invalid JSON'}: ${e.message}`);
      }
    } }, 'Send'),
  ]);
}

// GetActivityTask as a worker named "estado-console"; then show the task with its token.
function actAsWorker(act) {
  const body = h('div', { class: 'worker' }, h('p', { class: 'muted' }, 'Waiting for a task (GetActivityTask polls for up to 60 s)…'));
  const { close } = modal(`Worker for ${act.name}`, body, (close) => [h('button', { onclick: close }, 'Close')]);
  call('GetActivityTask', { activityArn: act.activityArn, workerName: 'estado-console' }).then((task) => {
    if (!task.taskToken) {
      clear(body).append(h('p', null, 'No task was waiting.'));
      return;
    }
    clear(body).append(
      h('h3', null, 'Task token'), h('code', { class: 'token-full', id: 'worker-token' }, task.taskToken), ' ', copyButton(task.taskToken, 'Copy token'),
      h('h3', null, 'Input'), jsonBlock(task.input),
      h('div', { class: 'actions' },
        answerButtons(task.taskToken, close),
        h('button', { class: 'small', onclick: async () => {
          try {
            await call('SendTaskHeartbeat', { taskToken: task.taskToken });
            toast('Heartbeat sent', 'info');
          } catch (e) {
            toast(`${e.type}: ${e.message}`);
          }
        } }, 'Send heartbeat')));
  }).catch((e) => clear(body).append(errorBox(e)));
}
