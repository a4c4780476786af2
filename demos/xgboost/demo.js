// The XGBoost demo: loads the bundled breast-cancer model, verifies its SHA-256 against the
// manifest, and re-scores the 30 inputs on every keystroke. Plain ES module, no build step.
const BUNDLE = new URL('../../models/breast-cancer/1.0.0/', import.meta.url);

const $ = (id) => document.getElementById(id);
const statusEl = $('status');
const form = $('features');
const select = $('example');

// A decimal number as a person types it ("12.5", "-3", ".5", "1e-3"). Anything else is an error
// rather than silently missing, so a typo never changes the prediction unnoticed.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const CUSTOM = '__custom__';

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.setAttribute('role', state === 'error' ? 'alert' : 'status');
  statusEl.textContent = text;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children);
  return node;
}

async function fetchOk(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new Error(`could not fetch the ${what} (${url.pathname}): ${cause.message}`);
  }
  if (!response.ok) throw new Error(`could not fetch the ${what} (${url.pathname}): HTTP ${response.status}`);
  return response;
}

const fmt = (x, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** Groups the 30 features by their sklearn naming: "mean …", "… error", "worst …". */
function groupOf(name) {
  if (name.startsWith('mean ')) return 'mean';
  if (name.startsWith('worst ')) return 'worst';
  if (name.endsWith(' error')) return 'error';
  return 'other';
}
const GROUPS = [
  ['mean', 'Mean over the nuclei', (n) => n.slice(5)],
  ['error', 'Standard error', (n) => n.slice(0, -6)],
  ['worst', 'Worst (mean of the three largest)', (n) => n.slice(6)],
  ['other', 'Other', (n) => n],
];

function buildForm(features) {
  const inputs = [];
  for (const [key, title, short] of GROUPS) {
    const members = features.filter((f) => groupOf(f.name) === key);
    if (!members.length) continue;
    const fieldset = el('fieldset', { class: 'group' }, el('legend', { text: title }));
    const grid = el('div', { class: 'fields' });
    for (const f of members) {
      const id = `f${f.index}`;
      const hint = `${id}-hint`;
      const input = el('input', {
        id, name: f.name, type: 'text', inputmode: 'decimal', spellcheck: 'false',
        placeholder: 'missing', 'aria-describedby': hint, 'data-index': f.index,
      });
      const range = `train ${f.min} – ${f.max}`;
      const field = el('div', { class: 'field' },
        // Visible: the short name under its group heading; read aloud: the full feature name.
        el('label', { for: id, title: f.name },
          el('span', { class: 'feature-name', 'aria-hidden': 'true', text: short(f.name) }),
          el('span', { class: 'sr-only', text: f.name })),
        input,
        el('small', { id: hint, class: 'range', 'data-range': range, text: range }));
      grid.append(field);
      inputs[f.index] = { input, feature: f, field, hint: field.querySelector('small') };
    }
    fieldset.append(grid);
    form.append(fieldset);
  }
  return inputs;
}

function renderModelCard(manifest, booster) {
  const facts = $('facts');
  facts.textContent = '';
  const fileInfo = manifest.files['model.json'];
  const version = booster.xgboostVersion ? booster.xgboostVersion.join('.') : manifest.framework?.version;
  const rows = [
    ['Model', el('strong', { text: manifest.name })],
    ['Version', manifest.version],
    ['Task', `${manifest.task}, output P(${manifest.output?.of_label ?? 'benign'})`],
    ['SHA-256', el('span', {},
      el('code', { class: 'hash', id: 'sha256', text: booster.sha256 }),
      ' ', el('span', { class: 'verified', id: 'verified', title: 'The bytes fetched match the manifest', text: 'verified ✓' }))],
    ['Size', `${(fileInfo.bytes / 1024).toFixed(1)} KB (model.json)`],
    ['XGBoost', `${version} · ${booster.objective} · ${booster.booster}`],
    ['Trees', `${booster.numTrees} trees, max depth ${booster.maxDepth}, ${booster.numFeatures} features`],
    ['License', manifest.license],
    ['Generator', el('code', { text: manifest.generator })],
  ];
  for (const [term, value] of rows) {
    facts.append(el('div', {}, el('dt', { text: term }), el('dd', {}, value)));
  }

  const m = manifest.evaluation.metrics;
  const columns = [
    ['This model', m.model, 'model'],
    ['Logistic regression', m.baselines.logistic_regression, 'baseline'],
    ['Prior (majority)', m.baselines.prior, 'baseline'],
  ];
  const table = $('metrics');
  table.tHead.append(el('tr', {}, el('th', { scope: 'col', text: 'Metric' }),
    ...columns.map(([name, , kind]) => el('th', { scope: 'col', class: kind, text: name }))));
  const metricRows = [
    ['ROC AUC', 'roc_auc', '↑'], ['Accuracy', 'accuracy', '↑'], ['Log loss', 'log_loss', '↓'],
  ];
  for (const [name, key, better] of metricRows) {
    table.tBodies[0].append(el('tr', {},
      el('th', { scope: 'row' }, name, ' ', el('span', { class: 'better', title: better === '↑' ? 'higher is better' : 'lower is better', text: better })),
      ...columns.map(([, values, kind]) => el('td', { class: kind, text: fmt(values[key]) }))));
  }
  const ev = manifest.evaluation;
  $('metrics-caption').textContent = `Test split, ${ev.rows} rows, threshold ${ev.threshold}; baselines beside the model`;
  $('metrics-note').textContent =
    `Logistic regression: ${m.baselines.logistic_regression.description} Prior: ${m.baselines.prior.description}`;

  const td = manifest.training_data;
  const split = td.split;
  $('provenance').textContent =
    `${td.dataset} (${td.dataset_package}); originally ${td.original_source}; license ${td.license}. ` +
    `${split.train_rows} training / ${split.test_rows} test rows (stratified, random_state ${split.random_state}); ` +
    `${Math.round(td.missing_injection.rate * 100)}% of cells blanked at random to teach the trees about missing values.`;
}

async function start() {
  let tetra;
  try {
    tetra = await import('../../js/index.js');
  } catch (error) {
    throw new Error(`could not load the tetra library (js/index.js): ${error.message}`);
  }
  const { init, Booster, TetraError, coreVersion } = tetra;

  const [manifest, examplesDoc] = await Promise.all([
    fetchOk(new URL('manifest.json', BUNDLE), 'model manifest').then((r) => r.json()),
    fetchOk(new URL('examples.json', BUNDLE), 'examples').then((r) => r.json()),
  ]);
  const modelBytesPromise = fetchOk(new URL('model.json', BUNDLE), 'model').then((r) => r.arrayBuffer());

  setStatus('loading', 'Loading the WebAssembly core…');
  try {
    await init();
  } catch (error) {
    throw new Error(`could not start the WebAssembly core: ${error.message}`);
  }

  const bytes = new Uint8Array(await modelBytesPromise);
  const expected = manifest.files?.['model.json']?.sha256;
  if (!expected) throw new Error('the manifest has no SHA-256 for model.json');
  let booster;
  try {
    booster = Booster.fromXGBoost(bytes, { sha256: expected });
  } catch (error) {
    if (error instanceof TetraError && error.code === 'TETRA_ERR_INTEGRITY') {
      throw new Error(`model.json does not match its manifest, refusing to use it. ${error.message}`);
    }
    throw new Error(`could not load model.json: ${error.message}`);
  }
  if (booster.numFeatures !== manifest.features.length) {
    throw new Error(`the manifest lists ${manifest.features.length} features but the model has ${booster.numFeatures}`);
  }

  const positive = manifest.output?.of_label ?? 'benign';
  const negative = manifest.labels.find((l) => l.name !== positive)?.name ?? 'malignant';
  const threshold = manifest.output?.threshold ?? 0.5;
  const fields = buildForm(manifest.features);
  const row = new Float32Array(booster.numFeatures);
  const examples = examplesDoc.examples;
  let current = null; // the example whose values are shown unedited, if any

  renderModelCard(manifest, booster);

  for (const [i, e] of examples.entries()) {
    const missing = e.values.filter((v) => v === null).length;
    select.append(el('option', { value: String(i),
      text: `${e.title} (test row ${e.row}${missing ? `, ${missing} missing` : ''})` }));
  }
  select.append(el('option', { value: CUSTOM, text: 'Your own values', disabled: true }));

  const probEl = $('probability');
  const malEl = $('probability-malignant');
  const verdict = $('verdict');
  const message = $('form-message');
  const reference = $('reference');
  const timing = $('timing');
  const version = coreVersion();

  function score() {
    const bad = [];
    for (const { input, feature, field } of fields) {
      const text = input.value.trim();
      let value = NaN;
      let invalid = false;
      if (text !== '') {
        if (NUMBER.test(text)) value = Number(text);
        else invalid = true;
      }
      input.setAttribute('aria-invalid', invalid ? 'true' : 'false');
      field.classList.toggle('is-missing', text === '');
      field.classList.toggle('is-outside', !invalid && Number.isFinite(value) && (value < feature.min || value > feature.max));
      if (invalid) bad.push(feature.name);
      row[feature.index] = value;
    }
    if (bad.length) {
      message.hidden = false;
      message.textContent = `Not a number: ${bad.join(', ')}. Fix ${bad.length === 1 ? 'it' : 'them'} or leave empty for missing.`;
      probEl.dataset.value = '';
      probEl.textContent = '—';
      malEl.dataset.value = '';
      malEl.textContent = '—';
      verdict.dataset.label = '';
      $('predicted-label').textContent = 'no prediction';
      $('meter-fill').style.width = '0';
      return;
    }
    message.hidden = true;
    const t0 = performance.now();
    const p = booster.predict(row)[0];
    const ms = performance.now() - t0;
    const pMal = 1 - p;
    probEl.dataset.value = String(p);
    probEl.textContent = p.toFixed(4);
    probEl.title = `float32 ${p.toPrecision(9)}`;
    malEl.dataset.value = String(pMal);
    malEl.textContent = pMal.toFixed(4);
    const label = p >= threshold ? positive : negative;
    verdict.dataset.label = label;
    $('predicted-label').textContent = `Predicted: ${label}`;
    $('meter-fill').style.width = `${(p * 100).toFixed(2)}%`;
    const missing = row.reduce((n, v) => n + Number.isNaN(v), 0);
    timing.textContent = `${missing} of ${row.length} inputs missing · scored in ${ms < 0.1 ? '<0.1' : ms.toFixed(1)} ms by tetra ${version} (WebAssembly)`;

    if (current) {
      const ref = current.xgboost_probability;
      const same = Math.fround(ref) === p;
      reference.hidden = false;
      reference.textContent = '';
      reference.append(`True label: ${current.label}. XGBoost ${manifest.framework.version} in Python gave P(${positive}) = ${ref}; `,
        el('strong', { class: same ? 'match' : 'mismatch', text: same ? 'identical float32 ✓' : `differs by ${Math.abs(ref - p).toExponential(2)}` }));
    } else {
      reference.hidden = true;
    }
  }

  function load(values, example) {
    values.forEach((v, j) => { fields[j].input.value = v === null || v === undefined ? '' : String(v); });
    current = example;
    score();
  }

  select.addEventListener('change', () => {
    if (select.value === CUSTOM) return;
    const e = examples[Number(select.value)];
    load(e.values, e);
  });
  form.addEventListener('input', () => {
    current = null;
    select.value = CUSTOM;
    score();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  $('clear-all').addEventListener('click', () => { load(fields.map(() => null), null); select.value = CUSTOM; });
  $('medians').addEventListener('click', () => { load(manifest.features.map((f) => f.median), null); select.value = CUSTOM; });

  select.value = '0';
  load(examples[0].values, examples[0]);
  for (const control of [select, $('clear-all'), $('medians')]) control.disabled = false;
  setStatus('ready', `Model ${manifest.name}@${manifest.version} loaded and verified (SHA-256 matches the manifest). Scoring locally in WebAssembly.`);
}

start().catch((error) => {
  console.error(error);
  setStatus('error', `The demo could not start: ${error.message}`);
});
