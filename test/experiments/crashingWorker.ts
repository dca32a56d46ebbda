/**
 * A pool worker for the crash test: the real run worker, plus a listener that throws an uncaught
 * exception (killing the thread) while the run with seed 13 trains.
 */
import { parentPort } from 'node:worker_threads';
import '../../src/experiments/runWorker';

parentPort!.on('message', (message: { type: string; config?: { seed: number } }) => {
  if (message.type === 'run' && message.config?.seed === 13) {
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 50);
  }
});
