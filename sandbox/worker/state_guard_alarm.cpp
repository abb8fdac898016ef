// The state guard's alarm (see state_guard_data.h): an audit hook for events that reach past
// what the snapshot compares, and wrappers for functions that change C state it cannot read.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "sandbox/worker/state_guard_data.h"
#include "sandbox/worker/state_guard_record.h"

namespace autoif::sandbox::worker::guard {
namespace {

char g_alarm[96] = "";
bool g_quiet = false;

// Events that reach past what the snapshot compares: object graphs (gc), per-thread hooks,
// process-wide hooks, and assignments CPython audits instead of routing through a dict.
constexpr std::string_view kAlarmEvents[] = {
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.settrace", "sys.setprofile",
    "sys.addaudithook", "sys.set_asyncgen_hooks_firstiter", "sys.set_asyncgen_hooks_finalizer",
    "object.__setattr__", "object.__delattr__", "os.putenv", "os.unsetenv", "sys._current_frames",
};

int audit_hook(const char* event, PyObject*, void*) {
  if (g_quiet || g_alarm[0] != '\0' || event == nullptr) return 0;
  std::string_view name(event);
  for (std::string_view alarm : kAlarmEvents)
    if (name == alarm) {
      std::size_t length = std::min(name.size(), sizeof g_alarm - 1);
      std::memcpy(g_alarm, event, length);
      g_alarm[length] = '\0';
    }
  return 0;
}

// Functions that change C state the snapshot cannot read back are replaced by ones that first
// mark the child (which then retires after the job) and then call the original, which stays
// reachable from C only:
// - _imp's module makers: builtin and extension modules outside the allowlist can be made by
//   hand (the builtin importer does so), and their C state (atexit callbacks, faulthandler...)
//   is nothing the snapshot holds;
// - _locale's message-catalogue settings (libintl state).
struct GuardedFunction {
  const char* module;
  const char* name;
  const char* why;
};
constexpr GuardedFunction kGuarded[] = {
    {"_imp", "create_builtin", "a module made outside the allowlist"},
    {"_imp", "exec_builtin", "a module made outside the allowlist"},
    {"_imp", "create_dynamic", "a module made outside the allowlist"},
    {"_imp", "exec_dynamic", "a module made outside the allowlist"},
    {"_locale", "textdomain", "_locale.textdomain"},
    {"_locale", "bindtextdomain", "_locale.bindtextdomain"},
    {"_locale", "bind_textdomain_codeset", "_locale.bind_textdomain_codeset"},
};
constexpr std::size_t kGuardedCount = sizeof kGuarded / sizeof kGuarded[0];
PyObject* g_originals[kGuardedCount] = {};

template <std::size_t Index>
PyObject* guarded_call(PyObject*, PyObject* const* args, Py_ssize_t count) {
  set_alarm(kGuarded[Index].why);
  return PyObject_Vectorcall(g_originals[Index], args, static_cast<std::size_t>(count), nullptr);
}

using FastCall = PyObject* (*)(PyObject*, PyObject* const*, Py_ssize_t);

template <std::size_t... Index>
constexpr auto guarded_calls(std::index_sequence<Index...>) {
  return std::array<FastCall, sizeof...(Index)>{guarded_call<Index>...};
}

tl::expected<void, std::string> guard_module_creation() {
  static constexpr auto kCalls = guarded_calls(std::make_index_sequence<kGuardedCount>{});
  static PyMethodDef definitions[kGuardedCount] = {};
  for (std::size_t i = 0; i < kGuardedCount; ++i) {
    PyObject* owner = module(kGuarded[i].module);
    PyObject* original = owner ? PyObject_GetAttrString(owner, kGuarded[i].name) : nullptr;
    if (!original) {
      PyErr_Clear();
      continue;
    }
    g_originals[i] = original;  // owned here for good
    definitions[i].ml_name = kGuarded[i].name;
    definitions[i].ml_meth = reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(kCalls[i]));
    definitions[i].ml_flags = METH_FASTCALL;
    PyObject* replacement = PyCFunction_NewEx(&definitions[i], nullptr, nullptr);
    if (!replacement || PyObject_SetAttrString(owner, kGuarded[i].name, replacement) != 0) {
      PyErr_Clear();
      return tl::unexpected(std::string("cannot guard ") + kGuarded[i].module + "." + kGuarded[i].name);
    }
    Py_DECREF(replacement);
  }
  return {};
}

}  // namespace

const char* audit_alarm() { return g_alarm; }
void set_quiet(bool quiet) { g_quiet = quiet; }
void set_alarm(const char* why) {
  if (g_alarm[0] != '\0') return;
  std::size_t length = std::min(std::strlen(why), sizeof g_alarm - 1);
  std::memcpy(g_alarm, why, length);
  g_alarm[length] = '\0';
}

tl::expected<void, std::string> guard_functions() { return guard_module_creation(); }

bool install_audit_hook() {
  if (PySys_AddAuditHook(audit_hook, nullptr) == 0) return true;
  PyErr_Clear();
  return false;
}

}  // namespace autoif::sandbox::worker::guard
