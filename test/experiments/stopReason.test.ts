import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStopReason, type StopReason, stopReasonOfError, stopStatus } from '../../src/experiments/stopReason';
import { RunLockedError, StoreFormatError } from '../../src/experiments/resultStore';

test('stops the next run resumes are stopped; those that need a fix or would repeat are failed', () => {
  const reasons: [StopReason, string][] = [
    [{ type: 'interrupted' }, 'stopped'],
    [{ type: 'locked', message: 'm' }, 'stopped'],
    [{ type: 'unfinished', epochs: 2, of: 6 }, 'stopped'],
    [{ type: 'stale', message: 'm' }, 'stopped'],
    [{ type: 'diverged', epoch: 3, message: 'm' }, 'failed'],
    [{ type: 'damaged', message: 'm' }, 'failed'],
    [{ type: 'failed', message: 'm' }, 'failed'],
  ];
  for (const [reason, status] of reasons) assert.equal(stopStatus(reason), status, reason.type);
});

test('errors become reasons by their class, whether thrown here or sent by a worker as name and message', () => {
  assert.equal(stopReasonOfError(new RunLockedError('/s/f/r/lock', undefined)).type, 'locked');
  assert.equal(stopReasonOfError(new StoreFormatError('x is damaged')).type, 'damaged');
  assert.deepEqual(stopReasonOfError({ name: 'WorkerStoppedError', message: 'terminated' }), { type: 'interrupted', message: 'WorkerStoppedError: terminated' });
  assert.deepEqual(stopReasonOfError(new Error('no GPU memory')), { type: 'failed', message: 'Error: no GPU memory' });
  assert.equal(describeStopReason({ type: 'locked', message: 'held' }), 'RunLockedError: held', 'the summary line reads as before');
  assert.equal(describeStopReason({ type: 'interrupted' }), undefined);
});
