/** Runs `iwlab run` in this process and returns what it printed on stdout, line by line. Not a test file itself. */
import { main } from '../../src/commands/run';

export async function captured(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    await main(args);
  } finally {
    console.log = original;
  }
  return lines;
}
