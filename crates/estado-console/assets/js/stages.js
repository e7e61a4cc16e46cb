// A state run's data-flow stages (InputPath -> Parameters -> result -> ResultSelector ->
// ResultPath -> OutputPath, or Arguments -> result -> Output for JSONata), from the public
// TestState API at inspectionLevel DEBUG: the state's own definition, the input it received,
// and, as a mock, the result its task returned (read from the history). Nothing is computed
// here; the panel only shows what TestState answers and whether its output is the one the
// execution recorded.

import { call } from './api.js';
import { h, fill, jsonBlock, errorBox } from './dom.js';
import { stateDefinition } from './asl.js';
import { fanoutResult, variablesBefore } from './history.js';

const JSONPATH_STAGES = [
  ['input', 'Input', null],
  ['afterInputPath', 'After InputPath', 'InputPath'],
  ['afterParameters', 'After Parameters', 'Parameters'],
  ['result', 'Result', null],
  ['afterResultSelector', 'After ResultSelector', 'ResultSelector'],
  ['afterResultPath', 'After ResultPath', 'ResultPath'],
];
const JSONATA_STAGES = [
  ['input', 'Input', null],
  ['afterArguments', 'After Arguments', 'Arguments'],
  ['result', 'Result', null],
];

// The TestState request that replays `run`, or a reason it cannot be made.
export function testStateRequest(model, a, run) {
  const def = stateDefinition(model, run.name);
  if (!def) return { why: 'The state is not in the definition.' };
  const req = { definition: JSON.stringify(def), input: run.input ?? '{}', inspectionLevel: 'DEBUG' };
  const role = a.events[0]?.executionStartedEventDetails?.roleArn;
  if (role) req.roleArn = role;
  const vars = variablesBefore(a, run);
  if (Object.keys(vars).length) req.variables = JSON.stringify(vars);
  const type = def.Type;
  if (type === 'Task') {
    if (run.result != null) req.mock = { result: run.result };
    else if (run.failure) {
      req.mock = { errorOutput: { error: run.failure.error ?? 'States.TaskFailed', ...(run.failure.cause != null ? { cause: run.failure.cause } : {}) } };
      if (run.attempts > 1) req.stateConfiguration = { retrierRetryCount: run.attempts - 1 };
    } else return { why: 'The task has no result yet.' };
  } else if (type === 'Map' || type === 'Parallel') {
    if (run.failure) {
      req.mock = { errorOutput: { error: run.failure.error ?? 'States.TaskFailed', ...(run.failure.cause != null ? { cause: run.failure.cause } : {}) } };
    } else {
      const result = fanoutResult(a, run);
      if (result == null) return { why: `The ${type} state has not finished.` };
      req.mock = { result: JSON.stringify(result) };
    }
  }
  return { req };
}

export function stagesPanel(model, a, run) {
  const box = h('div', { class: 'stages', id: 'stages' }, h('p', { class: 'muted' }, 'Asking TestState…'));
  if (!model) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No definition.'));
    return box;
  }
  const { req, why } = testStateRequest(model, a, run);
  if (!req) {
    box.replaceChildren(h('p', { class: 'muted' }, why));
    return box;
  }
  const def = JSON.parse(req.definition);
  const jsonata = (def.QueryLanguage || model.queryLanguage) === 'JSONata';
  call('TestState', req).then((res) => {
    const d = res.inspectionData || {};
    const steps = [];
    for (const [key, title, field] of jsonata ? JSONATA_STAGES : JSONPATH_STAGES) {
      if (d[key] == null && key !== 'input') continue;
      steps.push(stage(title, field && def[field] !== undefined ? def[field] : undefined, d[key]));
    }
    const outputTitle = jsonata ? 'Output' : 'After OutputPath (output)';
    if (res.output != null) steps.push(stage(outputTitle, jsonata ? def.Output : def.OutputPath, res.output, 'final'));
    const same = res.output != null && run.output != null && canonical(res.output) === canonical(run.output);
    fill(box,
      h('div', { class: 'stage-meta' },
        h('span', null, 'TestState: ', h('strong', { id: 'test-state-status' }, res.status)),
        res.nextState ? h('span', null, ' → next: ', h('strong', null, res.nextState)) : null,
        run.output != null && res.output != null
          ? h('span', { class: same ? 'ok' : 'bad', id: 'stages-match' }, same ? ' ✓ output matches the history' : ' ≠ output differs from the history')
          : null),
      res.error ? errorBox({ type: res.error, message: res.cause || '' }) : null,
      d.variables ? stage('Variables', undefined, d.variables) : null,
      steps);
  }).catch((e) => box.replaceChildren(errorBox(e)));
  return box;
}

function stage(title, field, value, cls = '') {
  return h('div', { class: `stage ${cls}` },
    h('div', { class: 'stage-title' }, title,
      field !== undefined ? h('code', { class: 'field' }, typeof field === 'string' ? field : JSON.stringify(field)) : null),
    jsonBlock(value));
}

function canonical(text) {
  const sort = (v) => (Array.isArray(v) ? v.map(sort) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v);
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}
