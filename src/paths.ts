import path from 'node:path';

/** The repository root, found from this file's place (src/), never from process.cwd(). */
export const REPO_ROOT = path.resolve(__dirname, '..');
