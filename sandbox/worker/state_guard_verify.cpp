// Checking a child against the snapshot (see state_guard.h). Runs after untrusted code, so it
// reads memory and calls only the C functions the snapshot recorded: no comparison here may
// run Python code a job could have planted (an __eq__ that says "unchanged").
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <string>
#include <unordered_set>

#include "sandbox/worker/state_guard.h"
#include "sandbox/worker/state_guard_data.h"

extern char** environ;

namespace autoif::sandbox::worker {
namespace {

using namespace guard;

// Calls `object.method()` as its type defines it: an attribute a job planted on the object
// itself is never what runs.
void call_quietly(PyObject* object, const char* method) {
  PyObject* name = PyUnicode_InternFromString(method);
  PyObject* function = name ? _PyType_Lookup(Py_TYPE(object), name) : nullptr;  // borrowed
  Py_XDECREF(name);
  PyObject* result = function ? PyObject_CallOneArg(function, object) : nullptr;
  if (result)
    Py_DECREF(result);
  else
    PyErr_Clear();
}

struct ChildBaseline {
  bool taken = false;
  // The tracked objects outside the frozen generation (held, so their addresses stay theirs).
  std::unordered_set<PyObject*> objects;
  struct stat descriptors[4];
  bool open[4] = {};
} g_baseline;

// Tracked objects the collector can see (those made since the worker froze its heap), as a
// new list (null on failure).
PyObject* live_objects(Snapshot& snapshot) {
  set_quiet(true);
  PyObject* objects = PyObject_CallNoArgs(snapshot.get_objects);
  set_quiet(false);
  if (objects && !PyList_Check(objects)) Py_CLEAR(objects);
  PyErr_Clear();
  return objects;
}

// "3 objects outlived the job (dict, function, ...)": the types of what was not there before.
std::string describe_survivors(PyObject* objects) {
  std::string types;
  int shown = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects) && shown < 4; ++i) {
    PyObject* object = PyList_GET_ITEM(objects, i);
    if (g_baseline.objects.contains(object)) continue;
    types += (shown++ ? ", " : " (");
    types += Py_TYPE(object)->tp_name;
  }
  if (!types.empty()) types += ", ...)";
  Py_ssize_t extra = PyList_GET_SIZE(objects) - static_cast<Py_ssize_t>(g_baseline.objects.size());
  if (extra <= 0) return "the collector's lists changed (" + std::to_string(extra) + " objects)";
  return std::to_string(extra) + " objects outlived the job" + types;
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev &&
         a.st_mode == b.st_mode;
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
  if (PyAnySet_CheckExact(a)) {  // the same elements, by identity
    if (PySet_GET_SIZE(a) != PySet_GET_SIZE(b)) return false;
    std::vector<PyObject*> elements[2];
    for (int side = 0; side < 2; ++side) {
      Py_ssize_t pos = 0;
      PyObject* key = nullptr;
      Py_hash_t hash = 0;
      while (_PySet_NextEntry(side == 0 ? a : b, &pos, &key, &hash)) elements[side].push_back(key);
      std::sort(elements[side].begin(), elements[side].end());
    }
    return elements[0] == elements[1];
  }
  if (PyDict_CheckExact(a)) {  // same keys (by identity), in the same order, same values
    if (PyDict_GET_SIZE(a) != PyDict_GET_SIZE(b)) return false;
    Py_ssize_t pos_a = 0, pos_b = 0;
    PyObject *key_a, *value_a, *key_b, *value_b;
    while (PyDict_Next(a, &pos_a, &key_a, &value_a) && PyDict_Next(b, &pos_b, &key_b, &value_b))
      if (key_a != key_b || !same_answer(value_a, value_b)) return false;
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

// UTF-8 of a str, or "?" (a lone surrogate has none): never a null pointer.
std::string text_of(PyObject* text) {
  const char* utf8 = PyUnicode_Check(text) ? PyUnicode_AsUTF8(text) : nullptr;
  if (!utf8) PyErr_Clear();
  return utf8 ? utf8 : "?";
}

std::string describe_dict(PyObject* dict) {
  if (dict == PyEval_GetBuiltins()) return "the builtins";
  if (dict == PyImport_GetModuleDict()) return "sys.modules";
  Py_ssize_t pos = 0;
  PyObject *name = nullptr, *value = nullptr;
  while (PyDict_Next(PyImport_GetModuleDict(), &pos, &name, &value))
    if (PyModule_Check(value) && PyModule_GetDict(value) == dict)
      return "the namespace of module " + text_of(name);
  std::string keys;
  pos = 0;
  for (int shown = 0; shown < 3 && PyDict_Next(dict, &pos, &name, &value);)
    if (PyUnicode_Check(name)) {
      keys += (shown++ ? ", " : " (");
      keys += text_of(name);
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

bool trimmed(const Snapshot& snapshot, PyObject* dict) {
  for (const auto& [map, size] : snapshot.trimmed_dicts)
    if (map == dict) return true;
  return false;
}

std::string compare(Snapshot& snapshot) {
  if (const char* event = audit_alarm(); event[0] != '\0')
    return std::string("the job used ") + event;
  if (g_baseline.taken) {
    PyObject* objects = live_objects(snapshot);
    if (!objects) return "the live objects could not be listed";
    // Exactly the objects there were before the job: not one more (a job object that lives on
    // can act later), and not one fewer (gc.freeze() would hide a job's objects from the list;
    // gc.unfreeze() would swell it).
    bool same = PyList_GET_SIZE(objects) == static_cast<Py_ssize_t>(g_baseline.objects.size());
    for (Py_ssize_t i = 0; same && i < PyList_GET_SIZE(objects); ++i)
      same = g_baseline.objects.contains(PyList_GET_ITEM(objects, i));
    std::string outlived = same ? "" : describe_survivors(objects);
    Py_DECREF(objects);
    if (!outlived.empty()) return outlived;
    for (int fd = 0; fd < 4; ++fd) {
      struct stat now{};
      bool open = ::fstat(fd, &now) == 0;
      if (open != g_baseline.open[fd] || (open && !same_file(now, g_baseline.descriptors[fd])))
        return "descriptor " + std::to_string(fd) + " changed";
    }
  }
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
    if (_PyDict_SizeOf(dict) != record.bytes && !trimmed(snapshot, record.dict))
      return describe_dict(record.dict) + " was resized";
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
    if (!same)
      return "a set changed (" + std::to_string(record.size) + " items before, " +
             std::to_string(PySet_GET_SIZE(record.object)) + " after)";
  }
  for (const auto& record : snapshot.words) {
    std::uintptr_t now = 0;
    std::memcpy(&now, record.where, record.bytes);
    if ((now & record.mask) != (record.value & record.mask)) {
      std::string what = std::string("a field of a ") + Py_TYPE(record.owner)->tp_name;
      if (PyObject* name = PyObject_GetAttrString(record.owner, "__qualname__")) {
        what += " (" + text_of(name) + ")";
        Py_DECREF(name);
      }
      PyErr_Clear();
      what += " at +" + std::to_string(static_cast<const char*>(record.where) - reinterpret_cast<const char*>(record.owner));
      return what + " changed";
    }
  }
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

void note_child_start() {
  Snapshot* snapshot = current();
  if (!snapshot) return;
  PyGC_Collect();
  PyErr_Clear();
  PyObject* objects = live_objects(*snapshot);
  if (!objects) return;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i)
    g_baseline.objects.insert(Py_NewRef(PyList_GET_ITEM(objects, i)));
  Py_DECREF(objects);
  for (int fd = 0; fd < 4; ++fd) g_baseline.open[fd] = ::fstat(fd, &g_baseline.descriptors[fd]) == 0;
  g_baseline.taken = true;
}

std::string restore_and_verify_state() {
  Snapshot* snapshot = current();
  if (!snapshot) return "there is no snapshot";
  put_caches_back(*snapshot);
  return compare(*snapshot);
}

}  // namespace autoif::sandbox::worker
