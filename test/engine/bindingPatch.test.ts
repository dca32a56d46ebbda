import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockAttrNameSet } from '../../src/engine/bindingPatch';
import { EngineInstallError } from '../../src/engine/installPlan';

/** The lines of tfjs-node 4.22.0's binding/tfjs_backend.cc that the patch touches, as published. */
const UPSTREAM = `#include <memory>
#include <set>
#include <string>

namespace tfnodejs {

// Used to hold strings beyond the lifetime of a JS call.
static std::set<std::string> ATTR_NAME_SET;

void AssignOpAttr(napi_env env, TFE_Op *tfe_op, napi_value attr_value) {
  // a set for re-use instead of dynamically reallocating strings for
  // operations.
  const char *attr_name =
      ATTR_NAME_SET.insert(attr_name_string.c_str()).first->c_str();

  napi_value attr_type_value;
`;

test('the attribute-name set is inserted into under a mutex, declared beside it', () => {
  const patched = lockAttrNameSet(UPSTREAM);
  assert.match(patched, /#include <mutex>\n#include <set>/);
  assert.match(patched, /static std::set<std::string> ATTR_NAME_SET;\nstatic std::mutex ATTR_NAME_SET_MUTEX;/);
  assert.match(patched, /\{\n\s+std::lock_guard<std::mutex> lock\(ATTR_NAME_SET_MUTEX\);[^\n]*\n\s+attr_name = ATTR_NAME_SET\.insert\(attr_name_string\)\.first->c_str\(\);\n\s+\}/);
  assert.doesNotMatch(patched, /ATTR_NAME_SET\.insert\(attr_name_string\.c_str\(\)\)/, 'no unlocked insert is left');
  assert.equal(patched.match(/ATTR_NAME_SET\.insert/g)?.length, 1);
});

test('patching twice changes nothing more', () => {
  const once = lockAttrNameSet(UPSTREAM);
  assert.equal(lockAttrNameSet(once), once);
});

test('a source without the expected lines is refused with the fix, not compiled unpatched', () => {
  for (const source of [UPSTREAM.replace('static std::set<std::string> ATTR_NAME_SET;', 'static std::unordered_set<std::string> ATTR_NAME_SET;'), UPSTREAM.replace('ATTR_NAME_SET.insert(attr_name_string.c_str())', 'Intern(attr_name_string)')]) {
    assert.throws(() => lockAttrNameSet(source), (error: unknown) => error instanceof EngineInstallError && /install @tensorflow\/tfjs-node 4\.22\.0/.test(error.message));
  }
});
