import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, describeError, errorExitCode, isDebug } from '../src/usageError';

class MissingThingError extends Error {
  override name = 'MissingThingError';
}

test('expected errors print one line, a bug its stack; --debug always the stack', () => {
  assert.equal(describeError(new UsageError('Use --data.'), false), 'UsageError: Use --data.');
  assert.equal(describeError(new MissingThingError('Run `npx iwlab data`.'), false), 'MissingThingError: Run `npx iwlab data`.');
  const system = Object.assign(new Error("ENOTDIR: not a directory, mkdir '/x/y'"), { code: 'ENOTDIR' });
  assert.equal(describeError(system, false), "ENOTDIR: not a directory, mkdir '/x/y' (run with --debug for the stack)");
  const bug = new TypeError('x is undefined');
  assert.match(describeError(bug, false), /^TypeError: x is undefined\n\s+at /);
  assert.match(describeError(new UsageError('u'), true), /^UsageError: u\n\s+at /);
});

test('a usage error exits 2, anything else 1; --debug or IWLAB_DEBUG asks for stacks', () => {
  assert.equal(errorExitCode(new UsageError('u')), 2);
  assert.equal(errorExitCode(new MissingThingError('m')), 1);
  assert.equal(isDebug(['run', 'x', '--debug'], {}), true);
  assert.equal(isDebug(['run'], { IWLAB_DEBUG: '1' }), true);
  assert.equal(isDebug(['run'], { IWLAB_DEBUG: '0' }), false);
});
