/**
 * The one change `iwlab engine install` makes to tfjs-node 4.22's addon source before compiling it.
 *
 * The addon keeps one TFJSBackend per Node environment (per worker thread), but the attribute names
 * every op passes to TensorFlow are interned in one process-wide `std::set<std::string>`, inserted into
 * without a lock (binding/tfjs_backend.cc, AssignOpAttr). Two worker threads issuing ops with attribute
 * names the set has not seen yet (each worker's first steps) rebalance the tree at once, and the
 * process dies with a segfault: a notebook's kernel with two training workers died that way in CI.
 * Eight workers started at once, each running the figures' first ops: 9 of 40 processes crashed on
 * the unpatched addon, 0 of 40 with the lock (the start test/engine/nativeWorkers.test.ts runs).
 * Its name in the engine's manifest is BINDING_PATCHES' 'attr-name-lock' (nativeEngine.ts). The
 * lock is taken once per op attribute,
 * a tree lookup, next to an op that takes microseconds.
 */
import { EngineInstallError } from './installPlan';

/** The addon source file the patch edits, inside the tfjs-node package. */
export const PATCHED_SOURCE = 'binding/tfjs_backend.cc';

const SET_DECLARATION = 'static std::set<std::string> ATTR_NAME_SET;';
const UNLOCKED_INSERT = /const char \*attr_name =\s*ATTR_NAME_SET\.insert\(attr_name_string\.c_str\(\)\)\.first->c_str\(\);/;
const LOCKED_INSERT = [
  'const char *attr_name;',
  '  {',
  '    std::lock_guard<std::mutex> lock(ATTR_NAME_SET_MUTEX);  // iwlab: worker threads share the set',
  '    attr_name = ATTR_NAME_SET.insert(attr_name_string).first->c_str();',
  '  }',
].join('\n');
const MUTEX_DECLARATION = 'static std::mutex ATTR_NAME_SET_MUTEX;  // iwlab: guards ATTR_NAME_SET';

/** tfjs_backend.cc with ATTR_NAME_SET's insert under a mutex; the text unchanged when it already is. */
export function lockAttrNameSet(source: string): string {
  if (source.includes('ATTR_NAME_SET_MUTEX')) return source;
  if (!source.includes(SET_DECLARATION) || !UNLOCKED_INSERT.test(source) || !source.includes('#include <set>')) {
    throw new EngineInstallError(
      `tfjs-node's ${PATCHED_SOURCE} is not the 4.22 source iwlab patches (ATTR_NAME_SET's unlocked insert was not found); install @tensorflow/tfjs-node 4.22.0, the version iwlab pins.`,
    );
  }
  return source
    .replace('#include <set>', '#include <mutex>\n#include <set>')
    .replace(SET_DECLARATION, `${SET_DECLARATION}\n${MUTEX_DECLARATION}`)
    .replace(UNLOCKED_INSERT, LOCKED_INSERT);
}
