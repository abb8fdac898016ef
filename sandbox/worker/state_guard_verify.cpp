// Checking a child against the snapshot (see state_guard.h). Runs after untrusted code, so it
// reads memory and calls only the C functions the snapshot recorded: no comparison here may
// run Python code a job could have planted (an __eq__ that says "unchanged").
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <csignal>
#include <cstring>
#include <string>

#include "sandbox/worker/state_guard.h"
#include "sandbox/worker/state_guard_data.h"

extern char** environ;

namespace autoif::sandbox::worker {
namespace {

using namespace guard;

void call_quietly(PyObject* object, const char* method) {
  PyObject* result = PyObject_CallMethod(object, method, nullptr);
  if (result)
    Py_DECREF(result);
  else
    PyErr_Clear();
}

// Equal answers of a recorded probe: the same object, or equal values of exact built-in types
// compared without calling any method a job could have defined.
bool same_answer(PyObject* a, PyObject* b) {
  if (a == b) return true;
  if (Py_TYPE(a) != Py_TYPE(b)) return false;
  if (PyTuple_CheckExact(a) || PyList_CheckExact(a)) {
    Py_ssize_t size = PySequence_Fast_GET_SIZE(a);
    if (size != PySequence_Fast_GET_SIZE(b)) return false;
    for (Py_ssize_t i = 0; i < size; ++i)
      if (!same_answer(PySequence_Fast_GET_ITEM(a, i), PySequence_Fast_GET_ITEM(b, i))) return false;
    return true;
  }
  if (PyLong_CheckExact(a) || PyUnicode_CheckExact(a) || PyBytes_CheckExact(a) ||
      PyFloat_CheckExact(a) || PyBool_Check(a)) {
    int equal = PyObject_RichCompareBool(a, b, Py_EQ);
    if (equal < 0) PyErr_Clear();
    return equal == 1;
  }
  return false;
}

std::string describe_dict(PyObject* dict) {
  if (dict == PyEval_GetBuiltins()) return "the builtins";
  if (dict == PyImport_GetModuleDict()) return "sys.modules";
  Py_ssize_t pos = 0;
  PyObject *name = nullptr, *value = nullptr;
  while (PyDict_Next(PyImport_GetModuleDict(), &pos, &name, &value))
    if (PyModule_Check(value) && PyModule_GetDict(value) == dict && PyUnicode_Check(name))
      return std::string("the namespace of module ") + PyUnicode_AsUTF8(name);
  std::string keys;
  pos = 0;
  for (int shown = 0; shown < 3 && PyDict_Next(dict, &pos, &name, &value);)
    if (PyUnicode_Check(name)) {
      keys += (shown++ ? ", " : " (");
      keys += PyUnicode_AsUTF8(name);
    }
  if (!keys.empty()) keys += ", ...)";
  PyErr_Clear();
  return "a dict of " + std::to_string(PyDict_Size(dict)) + " entries" + keys;
}

void put_caches_back(Snapshot& snapshot) {
  for (PyObject* stream : snapshot.flushed_streams) call_quietly(stream, "flush");
  for (PyObject* cache : snapshot.cleared_dicts) PyDict_Clear(cache);
  for (auto [map, size] : snapshot.trimmed_dicts) {
    // Pseudo-members (re.I | re.M) are appended; anything else a job did stays visible.
    std::vector<PyObject*> extra;
    Py_ssize_t pos = 0, index = 0;
    PyObject *key = nullptr, *value = nullptr;
    while (PyDict_Next(map, &pos, &key, &value))
      if (index++ >= size) extra.push_back(Py_NewRef(key));
    for (PyObject* stale : extra) {
      if (PyDict_DelItem(map, stale) != 0) PyErr_Clear();
      Py_DECREF(stale);
    }
  }
  for (PyObject* cache : snapshot.lru_caches) call_quietly(cache, "cache_clear");
  if (snapshot.reset_abc_caches)
    for (PyObject* kind : snapshot.abc_classes) {
      PyObject* result = PyObject_CallOneArg(snapshot.reset_abc_caches, kind);
      if (result)
        Py_DECREF(result);
      else
        PyErr_Clear();
    }
  for (PyObject* context : snapshot.decimal_contexts) call_quietly(context, "clear_flags");
  // Whatever that released may hold finalisers; they run now, before the comparison.
  PyGC_Collect();
  PyErr_Clear();
}

std::string compare(Snapshot& snapshot) {
  if (const char* event = audit_alarm(); event[0] != '\0')
    return std::string("the job used ") + event;
  for (auto& record : snapshot.dicts) {
    auto* dict = reinterpret_cast<PyDictObject*>(record.dict);
    if (dict->ma_version_tag == record.version) continue;
    bool same = PyDict_GET_SIZE(record.dict) == static_cast<Py_ssize_t>(record.size);
    Py_ssize_t pos = 0;
    PyObject *key = nullptr, *value = nullptr;
    for (std::size_t i = 0; same && PyDict_Next(record.dict, &pos, &key, &value); ++i)
      same = snapshot.pairs[record.first + 2 * i] == key &&
             snapshot.pairs[record.first + 2 * i + 1] == value;
    if (!same)
      return describe_dict(record.dict) + " changed (" + std::to_string(record.size) +
             " entries before)";
    record.version = dict->ma_version_tag;  // rewritten with the same entries: fine
  }
  for (const auto& record : snapshot.lists) {
    auto* list = reinterpret_cast<PyListObject*>(record.object);
    if (static_cast<std::size_t>(Py_SIZE(list)) != record.size ||
        (record.size > 0 && std::memcmp(list->ob_item, &snapshot.items[record.first],
                                        record.size * sizeof(PyObject*)) != 0))
      return "a list changed (" + std::to_string(record.size) + " items before, " +
             std::to_string(Py_SIZE(list)) + " after)";
  }
  for (const auto& record : snapshot.sets) {
    Py_ssize_t pos = 0;
    PyObject* key = nullptr;
    Py_hash_t hash = 0;
    std::size_t i = 0;
    bool same = PySet_GET_SIZE(record.object) == static_cast<Py_ssize_t>(record.size);
    while (same && _PySet_NextEntry(record.object, &pos, &key, &hash))
      same = snapshot.items[record.first + i++] == key;
    if (!same) return "a set changed";
  }
  for (const auto& record : snapshot.words)
    if ((*record.where & record.mask) != (record.value & record.mask))
      return std::string("a field of a ") + Py_TYPE(record.owner)->tp_name + " changed";
  for (const auto& probe : snapshot.probes) {
    PyObject* answer = PyObject_Call(probe.callable, probe.args, nullptr);
    bool same = answer && same_answer(answer, probe.expected);
    Py_XDECREF(answer);
    PyErr_Clear();
    if (!same) return probe.what + " changed";
  }
  if (environ && *environ) return "the C environment changed";
  sigset_t mask;
  if (::sigprocmask(SIG_BLOCK, nullptr, &mask) != 0) return "sigprocmask failed";
  for (int number = 1; number < NSIG; ++number)
    if (sigismember(&mask, number) != sigismember(&snapshot.signal_mask, number))
      return "the signal mask changed";
  return {};
}

}  // namespace

std::string restore_and_verify_state() {
  Snapshot* snapshot = current();
  if (!snapshot) return "there is no snapshot";
  put_caches_back(*snapshot);
  return compare(*snapshot);
}

}  // namespace autoif::sandbox::worker
