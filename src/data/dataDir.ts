import path from 'node:path';
import { REPO_ROOT } from '../paths';

/**
 * Where `iwlab data` installs datasets and loaders look by default: <repo>/data (git-ignored but
 * for its README), found from this module's place, never from process.cwd(). An explicit dataDir
 * always wins; the CLI lets IWLAB_DATA_DIR override it at the edge.
 */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, 'data');
