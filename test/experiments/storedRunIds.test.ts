import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { expandRuns } from '../../src/experiments/expand';
import { FIGURES } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';

// Computed at commit a8bb037, before the types moved into their layers (issue 15), with
//   FIGURES.map((spec) => expandRuns(spec, 'smoke').map(runId))
// A run id names a stored run's directory: these must never change. A test failing here means a
// refactor changed a resolved RunConfig (a key added, renamed or reordered in an array, a default
// moved); fix the code, not these values. A deliberate change to a figure's numbers is a new run
// and belongs in that figure's own tests, with this table updated in the same commit and said so.
const SMOKE_RUN_IDS: Record<string, readonly string[]> = {
  'toy-gaussian': ['0ce35439f3cd', '3d270643d340', 'aba5a39007a8', '632c4c682d6c', 'd61ffaab8d69', '88005d5a3bd8', '912c86ec9343', '9fd4f70d1f30', '3ff17b58b8f0', '3286bc143d3a', '702c13f1ce4c', '49dd8df28621'],
  'cifar-cnn': ['15f488ec562f', 'd45542ef41b9', '2b6690400db0'],
  'cifar-cnn-l2': ['99383d314d6d', '69dd4c3fb72f', '7971a1fbbebc', 'e046080ba4cc', 'efebd3558778', '472d8761729d', '2aebd744e583', '927cdc76679d', 'ee054f604cff'],
  'cifar-cnn-dropout': ['2850c852911f', '5d879e6511b0', 'fbb89ee2548a'],
  'cifar-resnet': ['00abec579842', 'c19478aa6096', '5d53d1bfbba8'],
  'cifar-resnet-nobn': ['82c4e6ed0b25', 'c54780fa4c42', 'd31bd2beaf42'],
  'mnist': ['62d4b281ed42', '9703aeb09918', '236af0945066', '267ef434fd6a', 'b65c58fe998a', '8c4caff54593', 'e3766621a4d7', '005a8efd43dd', '0dde9643d5fb'],
  'subsampling': ['be9d6d1849a5', '603d87e1f1ff', 'fa30f1fb3d30', 'e9da26b0edc7'],
  'subsampling-toy': ['1d01f5eba639', '41df0f47726b', '7ee79784b6e5', '1e4b108bc6bb', 'a338e7d90796', '3a7244c0e939', 'c013ea4b77dc', 'a8d453bfe48c', '418a6c070524', 'e60be1a6383c', '1902ece7db12', '814142df5940'],
  'poly-loss-toy': ['475e06d0d4b9', '2f8673fd56f6', '712d949aa121', 'cc962ca9ab4b', '635caac6975c', '7eb73c0e9d57', 'bfc2bb05344c', '93f7305833e2', '7247f3851c63', '5fdb1ea6d3ee', '084265682bb0', '5a8dd675f7e4'],
  // Issue 13 added the alpha-1 variant after the others (its three runs last), then gave both polynomial variants
  // lr 0.1 x softplus(-1) (figures.ts, polynomialLearningRate): the three cross-entropy runs keep their ids.
  'poly-loss-cifar': ['dcd4d821df4e', '112227a667e2', '52d93fcb12f4', 'c92c0789cd84', 'c91134740917', '121e3f59fd03', '2adcb6913efb', '20f40671870c', 'c641ab744f32'],
};

// The same for every run at the quick and paper scales, as one digest of the ids joined by newlines.
// Issue 13 changed both deliberately: poly-loss-cifar's alpha-1 variant adds 2 quick and 3 paper runs (the
// others keep their ids), and the deep figures' paper scale now evaluates every epoch (NYU's cadence), which
// changes what their metrics.jsonl holds and so their ids; no paper-scale run had been stored by then.
// Issue 13's quick grid then replaced the deep figures' quick scale on purpose (1:1 and two weights each side,
// two seeds, 500 + 500 images at half width: 64 quick runs became 126, the toy figures' 36 unchanged); stored
// quick runs of the deep figures from before it are not reused, they are simply other runs. Its recalibration
// changed the quick ids of cifar-cnn, cifar-cnn-l2, cifar-cnn-dropout, subsampling and poly-loss-cifar (a
// quarter-width CNN on 400 + 400 images; cifar-resnet, cifar-resnet-nobn and mnist keep theirs) and, with the
// polynomial variants' learning rate, their paper ids (no paper-scale polynomial run had been stored). The
// 20-minute goal then moved cifar-resnet to 75 epochs and cifar-cnn-dropout to 560 (their quick ids only).
const SCALE_DIGESTS = {
  quick: { runs: 126, sha256: 'f8213c91d4c32bbb6a02567c685a0228162a1699dcd9f4b152c9aa82a5b5141e' },
  paper: { runs: 296, sha256: '0a83079b319f83aa074b5f1d3c153e93ac78372eefd483ef2abef584d700fecf' },
} as const;

test('every registry figure keeps the run ids of its smoke-scale runs', () => {
  assert.deepEqual(Object.keys(SMOKE_RUN_IDS), FIGURES.map((spec) => spec.id), 'a figure was added or removed: pin its run ids here');
  for (const spec of FIGURES) assert.deepEqual(expandRuns(spec, 'smoke').map(runId), SMOKE_RUN_IDS[spec.id], spec.id);
});

test('the quick and paper scales keep the run ids of all their runs', () => {
  for (const scale of ['quick', 'paper'] as const) {
    const ids = FIGURES.flatMap((spec) => expandRuns(spec, scale).map(runId));
    assert.equal(ids.length, SCALE_DIGESTS[scale].runs, scale);
    assert.equal(createHash('sha256').update(ids.join('\n')).digest('hex'), SCALE_DIGESTS[scale].sha256, scale);
  }
});
