import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DUPLICATE_MS, isLaunchedByNpm, watchStopSignals } from '../../src/experiments/stopSignals';
import { REPO_ROOT } from '../../src/paths';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one Ctrl-C delivered twice (by the terminal and by a launcher) stops every subscriber once, and does not quit', async () => {
  const keepAlive = () => undefined; // as a notebook kernel's own listener: a repeat must not exit the process
  process.on('SIGINT', keepAlive);
  const stops: string[] = [];
  const notebook = watchStopSignals({ signals: ['SIGINT'], onStop: (signal) => stops.push(`notebook ${signal}`) });
  const command = watchStopSignals({ onStop: (signal, isParentGone) => stops.push(`command ${signal} ${isParentGone}`) });
  try {
    process.kill(process.pid, 'SIGINT');
    process.kill(process.pid, 'SIGINT');
    await sleep(100);
    assert.deepEqual(stops, ['notebook SIGINT', 'command SIGINT false']);
    assert.ok(notebook.signal.aborted && command.signal.aborted);
    assert.equal(command.stoppedBy, 'SIGINT');
  } finally {
    notebook.dispose();
    command.dispose();
    process.off('SIGINT', keepAlive);
  }
  assert.equal(process.listenerCount('SIGINT'), 0, 'the last dispose removes the listener');
  assert.equal(process.listenerCount('SIGTERM'), 0);
  await sleep(DUPLICATE_MS); // the next test's signal is a new press
});

test('a subscriber to SIGINT alone is not stopped by SIGTERM', async () => {
  const sigintOnly = watchStopSignals({ signals: ['SIGINT'] });
  const both = watchStopSignals({});
  try {
    process.kill(process.pid, 'SIGTERM');
    await sleep(100);
    assert.equal(sigintOnly.signal.aborted, false);
    assert.equal(both.stoppedBy, 'SIGTERM');
  } finally {
    sigintOnly.dispose();
    both.dispose();
  }
});

test('watchParent: a process whose launcher dies without passing a signal on stops as if sent SIGTERM', () => {
  // sh starts the child in the background and exits at once (as npm's `sh -c` killed by SIGTERM does):
  // the orphaned child must notice and stop within a few seconds instead of running on.
  const child = `require('./src/experiments/stopSignals').watchStopSignals({ watchParent: true, onStop: (s, gone) => { console.log('stopped', s, gone); process.exit(0); } }); setTimeout(() => { console.log('still running'); process.exit(1); }, 15000);`;
  const script = `node --import tsx -e "${child.replace(/"/g, '\\"')}" & sleep 1`;
  const result = spawnSync('sh', ['-c', `(${script}) ; wait`], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.match(result.stdout, /stopped SIGTERM true/, result.stderr);
});

test('npm and npx launches are recognised by npm_command', () => {
  assert.equal(isLaunchedByNpm({ npm_command: 'run-script' }), true);
  assert.equal(isLaunchedByNpm({ npm_command: 'exec' }), true);
  assert.equal(isLaunchedByNpm({}), false);
});
