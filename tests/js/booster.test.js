// Booster in wasm under Node: parity with XGBoost on every golden row, every accepted input
// form, XGBoost 2.x/3.x format variants, errors, and memory that does not grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { init, Booster, TetraError, coreVersion } from '../../js/index.js';
import { getRuntime } from '../../js/wasm.js';
import { golden, goldenNames, worstDifference } from './helpers.js';

await init();

test('init is idempotent and reports the core version', async () => {
  await init();
  await init();
  assert.match(coreVersion(), /^\d+\.\d+\.\d+$/);
});

test('every golden model matches XGBoost on every row (margins within 1e-5)', () => {
  const names = goldenNames();
  assert.ok(names.length >= 20, `expected at least 20 golden models, found ${names.length}`);
  let exact = 0;
  let total = 0;
  for (const name of names) {
    const g = golden(name);
    const booster = Booster.fromXGBoost(g.text);
    try {
      assert.equal(booster.numFeatures, g.meta.ncols, `${name}: numFeatures`);
      assert.equal(booster.numClasses, g.meta.num_groups, `${name}: numClasses`);
      assert.equal(booster.numOutputs, g.meta.pred_width, `${name}: numOutputs`);
      assert.equal(booster.numTrees, g.meta.num_trees, `${name}: numTrees`);
      assert.equal(booster.objective, g.meta.objective, `${name}: objective`);
      assert.equal(booster.booster, g.meta.booster, `${name}: booster`);
      const margin = booster.predict(g.rows, { ncols: g.meta.ncols, outputMargin: true });
      assert.equal(worstDifference(margin, g.margin, 1e-5), null, `${name}: margins`);
      for (let i = 0; i < margin.length; i++) exact += Object.is(margin[i], g.margin[i]) ? 1 : 0;
      total += margin.length;
      // expf/logf may differ in the last bit between C libraries; exp-link outputs are large.
      const pred = booster.predict(g.rows);
      assert.equal(worstDifference(pred, g.pred, 1e-5, 1e-6), null, `${name}: predictions`);
    } finally {
      booster.free();
    }
  }
  // Same float32 order as XGBoost: expected bit-identical; reported for the record.
  console.log(`# wasm: ${exact} of ${total} golden margins bit-identical to XGBoost`);
  assert.equal(exact, total, 'margins should be bit-identical to XGBoost');
});

test('single rows give exactly the batch values', () => {
  const g = golden('digits_softprob');
  const booster = Booster.fromXGBoost(g.text);
  const batch = booster.predict(g.rows, { outputMargin: true });
  const n = g.meta.ncols;
  const k = g.meta.num_groups;
  for (let r = 0; r < 40; r++) {
    const one = booster.predict(g.rows.subarray(r * n, (r + 1) * n), { outputMargin: true });
    assert.deepEqual(Array.from(one), Array.from(batch.subarray(r * k, (r + 1) * k)), `row ${r}`);
  }
  booster.free();
});

test('the model may be given as text, parsed object, Uint8Array or ArrayBuffer', () => {
  const g = golden('breast_cancer_dart');
  const bytes = new TextEncoder().encode(g.text);
  const forms = [g.text, JSON.parse(g.text), bytes, bytes.buffer.slice(0), new DataView(bytes.buffer)];
  const reference = Booster.fromXGBoost(g.text).predict(g.rows);
  for (const form of forms) {
    const booster = Booster.fromXGBoost(form);
    assert.deepEqual(booster.predict(g.rows), reference);
    booster.free();
  }
});

test('rows may be number[] or number[][] with null for missing', () => {
  const g = golden('breast_cancer_logistic');
  const booster = Booster.fromXGBoost(g.text);
  const n = booster.numFeatures;
  const flat = Array.from(g.rows, (x) => (Number.isNaN(x) ? null : x));
  const nested = [];
  for (let r = 0; r < g.meta.nrows; r++) nested.push(flat.slice(r * n, (r + 1) * n));
  const want = booster.predict(g.rows);
  assert.deepEqual(booster.predict(flat), want);
  assert.deepEqual(booster.predict(nested), want);
  assert.deepEqual(booster.predict(Float64Array.from(g.rows)), want);
  booster.free();
});

test('XGBoost 2.x/3.x spellings load to the same predictions', () => {
  const g = golden('breast_cancer_logistic');
  const want = Booster.fromXGBoost(g.text).predict(g.rows, { outputMargin: true });
  const variants = {
    'base_score "[5E-1]" (3.x)': (m) => { m.learner.learner_model_param.base_score = '[5E-1]'; },
    'base_score as a number': (m) => { m.learner.learner_model_param.base_score = 0.5; },
    'default_left as booleans': (m) => {
      for (const t of m.learner.gradient_booster.model.trees) t.default_left = t.default_left.map((x) => x === 1);
    },
    'no split_type (older 1.x)': (m) => {
      for (const t of m.learner.gradient_booster.model.trees) delete t.split_type;
    },
    'trees stored out of order, placed by id': (m) => { m.learner.gradient_booster.model.trees.reverse(); },
    'version 3.0.0 with num_target': (m) => {
      m.version = [3, 0, 0];
      m.learner.learner_model_param.num_target = '1';
    },
    'size_leaf_vector "1" (2.x scalar leaves)': (m) => {
      for (const t of m.learner.gradient_booster.model.trees) t.tree_param.size_leaf_vector = '1';
    },
  };
  for (const [label, edit] of Object.entries(variants)) {
    const model = JSON.parse(g.text);
    edit(model);
    const booster = Booster.fromXGBoost(model);
    assert.deepEqual(booster.predict(g.rows, { outputMargin: true }), want, label);
    booster.free();
  }
});

test('a per-class base_score vector (3.x multi-class) shifts each class margin', () => {
  const g = golden('digits_softprob');
  const model = JSON.parse(g.text);
  const k = g.meta.num_groups;
  const shifts = Array.from({ length: k }, (_, i) => 0.25 * i - 1);
  model.learner.learner_model_param.base_score = `[${shifts.map((s) => String(0.5 + s)).join(',')}]`;
  const booster = Booster.fromXGBoost(model);
  assert.deepEqual(Array.from(booster.baseMargin), shifts.map((s) => Math.fround(0.5 + s)));
  const margin = booster.predict(g.rows, { outputMargin: true });
  const want = g.margin.map((m, i) => m + shifts[i % k]);
  assert.equal(worstDifference(margin, want, 1e-5), null);
  booster.free();
});

test('model metadata is exposed', () => {
  const g = golden('categorical');
  const model = JSON.parse(g.text.replace(/\bNaN\b/g, '0'));
  model.learner.feature_names = Array.from({ length: g.meta.ncols }, (_, i) => `pixel_${i}`);
  const booster = Booster.fromXGBoost(model);
  assert.equal(booster.featureNames.length, g.meta.ncols);
  assert.equal(booster.featureNames[5], 'pixel_5');
  assert.deepEqual(booster.xgboostVersion, [1, 7, 4]);
  assert.match(booster.sha256, /^[0-9a-f]{64}$/);
  assert.equal(booster.maxDepth, g.meta.max_depth_observed);
  booster.free();
});

test('sha256 is verified when given', () => {
  const g = golden('breast_cancer_logistic');
  const booster = Booster.fromXGBoost(g.text);
  const digest = booster.sha256;
  booster.free();
  Booster.fromXGBoost(g.text, { sha256: digest.toUpperCase() }).free();
  assert.throws(() => Booster.fromXGBoost(g.text, { sha256: '0'.repeat(64) }), (e) => e instanceof TetraError && e.code === 'TETRA_ERR_INTEGRITY' && e.message.includes(digest));
  const sri = `sha256-${Buffer.from(digest, 'hex').toString('base64')}`;
  Booster.fromXGBoost(new TextEncoder().encode(g.text), { sha256: sri }).free();
  Booster.fromXGBoost(g.text, { sha256: null }).free(); // null means "not given"
  for (const bad of ['', 'abc', 'sha256-xyz', 42]) {
    assert.throws(() => Booster.fromXGBoost(g.text, { sha256: bad }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT' && /64 hex digits/.test(e.message), String(bad));
  }
  assert.throws(() => Booster.fromXGBoost(JSON.parse(g.text), { sha256: digest }), /not a parsed object/);
});

test('bad models give errors that say what and where', () => {
  const g = golden('breast_cancer_logistic');
  const cases = [
    ['{"learner": ', 'TETRA_ERR_PARSE', /JSON syntax error at byte 12 \(line 1, column 13\)/],
    [g.text.slice(0, 5000), 'TETRA_ERR_PARSE', /byte 5000/],
    ['[]', 'TETRA_ERR_FORMAT', /\(root\): expected an object/],
    [g.text.replace('"binary:logistic"', '"survival:aft"'), 'TETRA_ERR_UNSUPPORTED', /objective "survival:aft" is not supported/],
    [g.text.replace('"name":"gbtree"', '"name":"gblinear"'), 'TETRA_ERR_UNSUPPORTED', /gblinear booster is not supported/],
    [g.text.replace('"left_children":[1,', '"left_children":[0,'), 'TETRA_ERR_FORMAT', /trees\[0\]: node 0 has children 0 and 2/],
  ];
  for (const [text, code, pattern] of cases) {
    if (!code) continue;
    assert.throws(() => Booster.fromXGBoost(text), (e) => {
      assert.ok(e instanceof TetraError, `${e}`);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }
  assert.throws(() => Booster.fromXGBoost(42), TypeError);
  assert.throws(() => Booster.fromXGBoost(null), TypeError);
  assert.throws(() => new Booster(), TypeError);
});

test('a feature index beyond the row width is refused at load', () => {
  const g = golden('breast_cancer_logistic');
  const model = JSON.parse(g.text);
  model.learner.gradient_booster.model.trees[2].split_indices[0] = 30;
  assert.throws(() => Booster.fromXGBoost(model), /trees\[2\]: split_indices\[0\] = 30 is outside the model's 30 features/);
});

test('bad rows give errors naming the sizes', () => {
  const g = golden('breast_cancer_logistic');
  const booster = Booster.fromXGBoost(g.text);
  assert.throws(() => booster.predict(new Float32Array(31)), /31 values are not a whole number of rows of 30 columns/);
  assert.throws(() => booster.predict(new Float32Array(29), { ncols: 29 }), /rows have 29 columns but the model has 30 features/);
  assert.throws(() => booster.predict([[1, 2, 3]]), /rows have 3 columns but the model has 30 features/);
  assert.throws(() => booster.predict([new Array(30).fill(0), [1]]), /row 1 has 1 values; expected 30/);
  assert.throws(() => booster.predict(new Float32Array(30), { ncols: -1 }), /ncols must be a non-negative integer/);
  assert.throws(() => booster.predict('1,2,3'), TypeError);
  assert.equal(booster.predict(new Float32Array(0)).length, 0);
  // the booster is still usable after the failed calls
  assert.equal(worstDifference(booster.predict(g.rows), g.pred, 1e-5), null);
  booster.free();
  booster.free();
  assert.throws(() => booster.predict(g.rows), /has been freed/);
});

test('a failed load leaves loaded boosters intact', () => {
  const g = golden('diabetes_squarederror');
  const booster = Booster.fromXGBoost(g.text);
  const before = booster.predict(g.rows);
  for (let i = 0; i < 20; i++) assert.throws(() => Booster.fromXGBoost(g.text.slice(0, 1000 + i * 997)));
  assert.deepEqual(booster.predict(g.rows), before);
  booster.free();
});

test('loading, predicting and freeing 300 times leaves the heap where it was', () => {
  const g = golden('lgb_binary_weighted');
  const memory = getRuntime().memory;
  const cycle = () => {
    const booster = Booster.fromXGBoost(g.text);
    booster.predict(g.rows);
    booster.predict(g.rows.subarray(0, booster.numFeatures));
    booster.free();
    try { Booster.fromXGBoost(g.text.slice(0, 20000)); } catch { /* expected */ }
  };
  for (let i = 0; i < 20; i++) cycle();
  const before = memory.buffer.byteLength;
  for (let i = 0; i < 300; i++) cycle();
  assert.equal(memory.buffer.byteLength, before, 'wasm memory grew');
});

// A hand-built model: tree 0 is a chain of depth 40 on feature 0 (deeper than the fixed-step
// walk handles, so it takes the early-exit path), tree 1 a stump on feature 1 whose missing
// values go right. The expected margins are computed here independently, in float32.
function chainModel(depth) {
  const left = [], right = [], feat = [], cond = [], dleft = [];
  // node 2k is the k-th split (x0 < k + 0.5), node 2k+1 its left leaf (value k); the last is a leaf
  for (let k = 0; k < depth; k++) {
    left.push(2 * k + 1); right.push(2 * k + 2); feat.push(0); cond.push(k + 0.5); dleft.push(k % 2);
    left.push(-1); right.push(-1); feat.push(0); cond.push(k * 0.25); dleft.push(0);
  }
  left.push(-1); right.push(-1); feat.push(0); cond.push(-7.5); dleft.push(0);
  const tree = (n, l, r, f, c, d, id) => ({
    tree_param: { num_nodes: String(n), size_leaf_vector: '0', num_feature: '2' }, id,
    left_children: l, right_children: r, split_indices: f, split_conditions: c, default_left: d,
    parents: new Array(n).fill(0), base_weights: new Array(n).fill(0), loss_changes: new Array(n).fill(0),
    sum_hessian: new Array(n).fill(0), split_type: new Array(n).fill(0),
    categories: [], categories_nodes: [], categories_segments: [], categories_sizes: [],
  });
  return {
    version: [1, 7, 4],
    learner: {
      attributes: {}, feature_names: [], feature_types: [],
      learner_model_param: { base_score: '1.5E0', num_class: '0', num_feature: '2' },
      objective: { name: 'reg:squarederror', reg_loss_param: { scale_pos_weight: '1' } },
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_trees: '2', size_leaf_vector: '0' },
          tree_info: [0, 0],
          trees: [
            tree(2 * depth + 1, left, right, feat, cond, dleft, 0),
            tree(3, [1, -1, -1], [2, -1, -1], [1, 0, 0], [0, 0.125, -0.375], [0, 0, 0], 1),
          ],
        },
      },
    },
  };
}

test('trees deeper than the fixed-step limit (a chain of depth 40) and missing values', () => {
  const depth = 40;
  const booster = Booster.fromXGBoost(chainModel(depth));
  assert.equal(booster.maxDepth, depth);
  const rows = [];
  const want = [];
  for (let i = 0; i < 100; i++) {
    const x0 = i % 11 === 0 ? NaN : (i * 0.47) - 2;
    const x1 = i % 7 === 0 ? NaN : (i % 3) - 1;
    rows.push(x0, x1);
    // chain: the first k with x0 < k + 0.5 ends at leaf k; NaN follows default_left (odd k go left)
    let leaf = -7.5;
    for (let k = 0; k < depth; k++) {
      const goLeft = Number.isNaN(x0) ? k % 2 === 1 : x0 < k + 0.5;
      if (goLeft) { leaf = k * 0.25; break; }
    }
    const stump = !Number.isNaN(x1) && x1 < 0 ? 0.125 : -0.375;
    want.push(Math.fround(Math.fround(1.5 + Math.fround(leaf)) + stump));
  }
  const got = booster.predict(Float32Array.from(rows), { outputMargin: true });
  assert.deepEqual(Array.from(got), want);
  // one row at a time takes the single-row path
  for (let r = 0; r < 100; r += 9) assert.equal(booster.predict(rows.slice(2 * r, 2 * r + 2))[0], want[r]);
  booster.free();
});
