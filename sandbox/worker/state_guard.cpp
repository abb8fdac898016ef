// Taking the snapshot (see state_guard.h). Runs in the worker, trusted, before any fork: it
// walks every object the interpreter holds and records what a later job could change.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sandbox/worker/state_guard.h"

#include <csignal>
#include <string>
#include <unordered_set>
#include <vector>

#include "sandbox/worker/state_guard_data.h"
#include "sandbox/worker/state_guard_record.h"

namespace autoif::sandbox::worker {
namespace guard {
namespace {

Snapshot* g_snapshot = nullptr;

// Immutable leaves (most of the heap) have nothing to record and nothing inside.
bool immutable_leaf(PyObject* object) {
  PyTypeObject* type = Py_TYPE(object);
  return type == &PyLong_Type || type == &PyUnicode_Type || type == &PyFloat_Type ||
         type == &PyBytes_Type || type == &PyBool_Type || object == Py_None;
}

int push_referent(PyObject* object, void* stack) {
  if (object && !immutable_leaf(object)) static_cast<std::vector<PyObject*>*>(stack)->push_back(object);
  return 0;
}

// Everything reachable from the objects the collector tracks, plus the roots that live in C.
std::vector<PyObject*> reachable_objects(PyObject* tracked, std::vector<PyObject*> roots) {
  std::vector<PyObject*> stack = std::move(roots);
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tracked); ++i)
    if (!immutable_leaf(PyList_GET_ITEM(tracked, i))) stack.push_back(PyList_GET_ITEM(tracked, i));
  std::unordered_set<PyObject*> seen;
  seen.reserve(1 << 16);
  std::vector<PyObject*> order;
  while (!stack.empty()) {
    PyObject* object = stack.back();
    stack.pop_back();
    if (object == tracked || !seen.insert(object).second) continue;
    order.push_back(object);
    if (PyObject_IS_GC(object) && Py_TYPE(object)->tp_traverse)
      Py_TYPE(object)->tp_traverse(object, push_referent, &stack);
    if (PyType_Check(object)) {  // static types are not traversed, but their dicts matter
      auto* kind = reinterpret_cast<PyTypeObject*>(object);
      for (PyObject* part : {kind->tp_dict, kind->tp_mro, kind->tp_bases,
                             reinterpret_cast<PyObject*>(kind->tp_base)})
        if (part) stack.push_back(part);
    }
  }
  return order;
}

void call_quietly(PyObject* callable, PyObject* argument = nullptr) {
  PyObject* result = argument ? PyObject_CallOneArg(callable, argument) : PyObject_CallNoArgs(callable);
  if (result)
    Py_DECREF(result);
  else
    PyErr_Clear();
}

void record_settings(Recorder& recorder) {
  PyObject* no_args = PyTuple_New(0);
  const std::pair<const char*, const char*> settings[] = {
      {"sys", "getrecursionlimit"}, {"sys", "get_int_max_str_digits"}, {"sys", "getswitchinterval"},
      {"sys", "gettrace"},          {"sys", "getprofile"},             {"gc", "isenabled"},
      {"gc", "get_threshold"},      {"gc", "get_debug"},               {"_abc", "get_cache_token"},
      {"_thread", "stack_size"},    {"sys", "getdlopenflags"},
      {"sys", "get_coroutine_origin_tracking_depth"},
  };
  for (const auto& [owner, name] : settings)
    recorder.probe(module_attribute(owner, name), no_args, std::string(owner) + "." + name + "()");
  if (PyObject* setlocale = module_attribute("_locale", "setlocale"))
    recorder.probe(setlocale, Py_BuildValue("(iO)", LC_ALL, Py_None), "the locale");
  if (PyObject* getsignal = module_attribute("_signal", "getsignal"))
    for (int number = 1; number < NSIG; ++number)
      recorder.probe(getsignal, Py_BuildValue("(i)", number), "a signal handler");
  if (PyObject* wakeup = module_attribute("_signal", "set_wakeup_fd"))
    recorder.probe(wakeup, Py_BuildValue("(i)", -1), "the signal wakeup descriptor");
}

// Builtin and extension modules outside the allowlist can still be made by hand through _imp
// (the builtin importer does so), and their C state (atexit callbacks, faulthandler, ...) is
// nothing the snapshot holds. _imp's makers are replaced by ones that first mark the child,
// which then retires after the job. The originals stay reachable from C only.

}  // namespace

Snapshot* current() { return g_snapshot; }

}  // namespace guard

tl::expected<GuardSummary, std::string> snapshot_state() {
#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030C0000
  return tl::unexpected(std::string("the state guard knows CPython 3.11 only"));
#else
  using namespace guard;
  if (auto guarded = guard_functions(); !guarded) return tl::unexpected(guarded.error());
  auto* snapshot = new Snapshot();  // lives as long as the process
  Recorder recorder(*snapshot);
  recorder.random_instance_ = module_attribute("random", "_inst");

  // Start from the state every job will be put back to: caches empty, decimal flags clear.
  if (PyObject* re_cache = module_attribute("re", "_cache"); re_cache && PyDict_Check(re_cache))
    snapshot->cleared_dicts.push_back(re_cache);
  if (PyObject* regexes = module_attribute("_strptime", "_regex_cache"); regexes && PyDict_Check(regexes))
    snapshot->cleared_dicts.push_back(regexes);
  for (PyObject* cache : snapshot->cleared_dicts) PyDict_Clear(cache);
  snapshot->reset_abc_caches = module_attribute("_abc", "_reset_caches");
  PyObject* abc_meta = module_attribute("abc", "ABCMeta");
  PyObject* enum_type = module_attribute("enum", "EnumType");
  // The thread's decimal context exists from now on, so jobs share (and are checked on) it.
  PyObject* decimal_context = nullptr;
  if (PyObject* getcontext = module_attribute("decimal", "getcontext"))
    decimal_context = PyObject_CallNoArgs(getcontext);
  PyErr_Clear();

  PyObject* gc = PyImport_ImportModule("gc");
  if (!gc) return tl::unexpected(std::string("importing gc failed"));
  PyObject* collect = PyObject_GetAttrString(gc, "collect");
  PyObject* get_objects = PyObject_GetAttrString(gc, "get_objects");
  if (!collect || !get_objects) return tl::unexpected(std::string("gc has no collect/get_objects"));
  std::vector<PyObject*> roots = {PyImport_GetModuleDict(), PyEval_GetBuiltins()};
  if (PyObject* thread_dict = PyThreadState_GetDict()) roots.push_back(thread_dict);
  if (decimal_context) roots.push_back(decimal_context);
  // Every object, held for as long as the snapshot looks at it (emptying caches frees some).
  auto walk = [&]() -> PyObject* {
    call_quietly(collect);
    PyObject* tracked = PyObject_CallNoArgs(get_objects);
    if (!tracked || !PyList_Check(tracked)) return nullptr;
    auto objects = reachable_objects(tracked, roots);
    Py_DECREF(tracked);
    PyObject* held = PyList_New(static_cast<Py_ssize_t>(objects.size()));
    for (std::size_t i = 0; i < objects.size(); ++i)
      PyList_SET_ITEM(held, static_cast<Py_ssize_t>(i), Py_NewRef(objects[i]));
    return held;
  };

  // Find the caches and empty them, then record. The walk holds every object it found, so
  // what emptying a cache releases stays valid (and unchanged) while it is recorded.
  PyObject* objects = walk();
  if (!objects) return tl::unexpected(std::string("gc.get_objects failed"));
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i) {
    PyObject* object = PyList_GET_ITEM(objects, i);
    if (type_named(object, "functools._lru_cache_wrapper")) {
      Py_INCREF(object);
      snapshot->lru_caches.push_back(object);
    }
    if (!PyType_Check(object)) continue;
    if (abc_meta && PyObject_TypeCheck(object, reinterpret_cast<PyTypeObject*>(abc_meta)) &&
        snapshot->reset_abc_caches) {
      Py_INCREF(object);
      snapshot->abc_classes.push_back(object);
    }
    if (enum_type && PyObject_TypeCheck(object, reinterpret_cast<PyTypeObject*>(enum_type))) {
      PyObject* map = PyDict_GetItemString(reinterpret_cast<PyTypeObject*>(object)->tp_dict,
                                           "_value2member_map_");
      if (map && PyDict_Check(map)) snapshot->trimmed_dicts.push_back({Py_NewRef(map), PyDict_Size(map)});
    }
  }
  for (PyObject* cache : snapshot->lru_caches) {
    if (PyObject* clear = PyObject_GetAttrString(cache, "cache_clear")) {
      call_quietly(clear);
      Py_DECREF(clear);
    }
    PyErr_Clear();
  }
  // An ABC makes its caches on its first positive and negative check; made now, they are part
  // of the snapshot, and a job's checks only fill (and the reset empties) sets that exist.
  PyObject* stranger = PyObject_CallFunction(reinterpret_cast<PyObject*>(&PyType_Type), "s()O",
                                             "_AutoifStranger", PyDict_New());
  PyObject* dump = module_attribute("_abc", "_get_dump");
  for (PyObject* kind : snapshot->abc_classes) {
    if (PyObject_IsSubclass(kind, kind) < 0) PyErr_Clear();
    if (stranger && PyObject_IsSubclass(stranger, kind) < 0) PyErr_Clear();
    call_quietly(snapshot->reset_abc_caches, kind);
    // Registry, caches (empty after the reset) and negative-cache version, as copies: a
    // registry can be emptied (_abc_registry_clear) without bumping the cache token.
    if (dump) recorder.probe(dump, PyTuple_Pack(1, kind), "an ABC's registry");
  }
  Py_XDECREF(stranger);
  PyErr_Clear();
  call_quietly(collect);  // the stranger class is a cycle: gone before anything is recorded

  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i) {
    PyObject* object = PyList_GET_ITEM(objects, i);
    if (!type_named(object, "_abc._abc_data") || !Py_TYPE(object)->tp_traverse) continue;
    std::vector<PyObject*> parts;
    Py_TYPE(object)->tp_traverse(object, push_referent, &parts);
    for (PyObject* part : parts)
      if (PySet_Check(part)) recorder.abc_sets_.insert(part);
  }
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i)
    recorder.one_object(PyList_GET_ITEM(objects, i));
  Py_DECREF(objects);
  if (!recorder.unknown_.empty()) {
    std::string names;
    for (const auto& name : recorder.unknown_) names += (names.empty() ? "" : ", ") + name;
    return tl::unexpected("cannot compare objects of type " + names);
  }
  for (PyObject* context : snapshot->decimal_contexts) {
    if (PyObject* clear = PyObject_GetAttrString(context, "clear_flags")) call_quietly(clear);
    PyErr_Clear();
    recorder.probe(reinterpret_cast<PyObject*>(&PyUnicode_Type), PyTuple_Pack(1, context),
                   "a decimal context");
  }
  record_settings(recorder);
  if (::sigprocmask(SIG_BLOCK, nullptr, &snapshot->signal_mask) != 0)
    return tl::unexpected(std::string("sigprocmask failed"));
  PyErr_Clear();

  snapshot->get_objects = get_objects;
  if (!install_audit_hook()) return tl::unexpected(std::string("PySys_AddAuditHook failed"));
  g_snapshot = snapshot;
  return GuardSummary{snapshot->dicts.size() + snapshot->lists.size() + snapshot->sets.size(),
                      snapshot->words.size() + snapshot->probes.size()};
#endif
}

}  // namespace autoif::sandbox::worker
