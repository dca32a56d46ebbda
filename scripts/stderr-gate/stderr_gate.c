/*
 * iwlab's stderr gate: points file descriptor 2 at a file while libtensorflow loads, then back.
 * TensorFlow's static initialisers write INFO lines (absl's pre-init warning, oneDNN's notice)
 * straight to descriptor 2 as the library loads, before TF_CPP_MIN_LOG_LEVEL applies; Node has no
 * dup2, so this is the only way to keep them off a terminal. The engine replays every captured line
 * that is not an INFO or WARNING line (see src/engine/nativeEngine.ts), so errors still show.
 */
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <unistd.h>

/* redirect(path): descriptor 2 now writes to path; returns the saved descriptor for restore(). */
static napi_value Redirect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "redirect(path) takes the capture file's path");
    return NULL;
  }
  fflush(stderr);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    napi_throw_error(env, NULL, "stderr gate: cannot open the capture file");
    return NULL;
  }
  int saved = dup(2);
  if (saved < 0 || dup2(fd, 2) < 0) {
    close(fd);
    if (saved >= 0) close(saved);
    napi_throw_error(env, NULL, "stderr gate: cannot redirect descriptor 2");
    return NULL;
  }
  close(fd);
  napi_value result;
  napi_create_int32(env, saved, &result);
  return result;
}

/* restore(saved): descriptor 2 writes where it did before redirect(). */
static napi_value Restore(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t saved = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &saved) != napi_ok || saved < 0) {
    napi_throw_type_error(env, NULL, "restore(saved) takes what redirect() returned");
    return NULL;
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"redirect", NULL, Redirect, NULL, NULL, NULL, napi_default, NULL},
      {"restore", NULL, Restore, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, properties);
  return exports;
}
