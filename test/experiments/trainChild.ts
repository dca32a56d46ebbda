/**
 * A child process for the kill-and-resume test: trains the tiny figure into a store and prints each
 * progress event as a JSON line. Usage: node --import tsx trainChild.ts <store> <epochs> <checkpointEverySeconds>
 */
import { runFigure } from '../../src/experiments/runFigure';
import { ResultStore } from '../../src/experiments/resultStore';
import { killFigure } from './tinyFigure';

const [root, epochs, checkpointEverySeconds] = process.argv.slice(2);
if (root === undefined || epochs === undefined || checkpointEverySeconds === undefined) {
  throw new Error('usage: trainChild.ts <store> <epochs> <checkpointEverySeconds>');
}

runFigure(killFigure(Number(epochs)), {
  scale: 'smoke',
  store: new ResultStore(root),
  workers: 1,
  checkpointEverySeconds: Number(checkpointEverySeconds),
  onProgress: (event) => process.stdout.write(JSON.stringify(event.type === 'epochEnd' ? { ...event, metrics: undefined } : event) + '\n'),
}).then(
  (result) => process.stdout.write(JSON.stringify({ type: 'result', statuses: result.runs.map((run) => run.status) }) + '\n'),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
