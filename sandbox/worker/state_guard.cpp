// Taking the snapshot (see state_guard.h). Runs in the worker, trusted, before any fork: it
// walks every object the interpreter holds and records what a later job could change.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "sandbox/worker/state_guard.h"

#include <cstring>
#include <array>
#include <set>
#include <utility>
#include <string>
#include <string_view>
#include <unordered_set>

#include "sandbox/worker/state_guard_data.h"

namespace autoif::sandbox::worker {
namespace guard {
namespace {

Snapshot* g_snapshot = nullptr;
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

bool type_named(PyObject* object, const char* name) {
  return std::strcmp(Py_TYPE(object)->tp_name, name) == 0;
}

PyObject* module(const char* name) {
  PyObject* found = PyDict_GetItemString(PyImport_GetModuleDict(), name);  // borrowed
  return found && PyModule_Check(found) ? found : nullptr;
}

PyObject* module_attribute(const char* module_name, const char* attribute) {
  PyObject* owner = module(module_name);
  if (!owner) return nullptr;
  PyObject* value = PyObject_GetAttrString(owner, attribute);  // new reference, kept forever
  if (!value) PyErr_Clear();
  return value;
}

class Recorder {
 public:
  explicit Recorder(Snapshot& out) : out_(out) {}

  void keep(PyObject* object) {
    // Recorded addresses must never be freed and reused: the snapshot owns a reference.
    Py_XINCREF(object);
  }

  void dict(PyObject* dict) {
    if (!dicts_.insert(dict).second) return;
    keep(dict);
    DictRecord record{dict, reinterpret_cast<PyDictObject*>(dict)->ma_version_tag,
                      out_.pairs.size(), 0, _PyDict_SizeOf(reinterpret_cast<PyDictObject*>(dict))};
    Py_ssize_t pos = 0;
    PyObject *key = nullptr, *value = nullptr;
    while (PyDict_Next(dict, &pos, &key, &value)) {
      keep(key);
      keep(value);
      out_.pairs.push_back(key);
      out_.pairs.push_back(value);
      ++record.size;
    }
    out_.dicts.push_back(record);
  }

  void list(PyObject* list) {
    keep(list);
    SequenceRecord record{list, out_.items.size(), static_cast<std::size_t>(PyList_GET_SIZE(list))};
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); ++i) {
      keep(PyList_GET_ITEM(list, i));
      out_.items.push_back(PyList_GET_ITEM(list, i));
    }
    out_.lists.push_back(record);
  }

  void set(PyObject* set) {
    keep(set);
    SequenceRecord record{set, out_.items.size(), 0};
    Py_ssize_t pos = 0;
    PyObject* key = nullptr;
    Py_hash_t hash = 0;
    while (_PySet_NextEntry(set, &pos, &key, &hash)) {
      keep(key);
      out_.items.push_back(key);
      ++record.size;
    }
    out_.sets.push_back(record);
  }

  void word(PyObject* owner, const void* where, std::uintptr_t mask = ~std::uintptr_t{0},
            std::uint8_t bytes = sizeof(std::uintptr_t)) {
    std::uintptr_t value = 0;
    std::memcpy(&value, where, bytes);
    keep(owner);
    out_.words.push_back({where, value, mask, owner, bytes});
  }

  // A field holding an object reference: the referent is kept alive as well.
  void field(PyObject* owner, PyObject* const* where) {
    keep(*where);
    word(owner, where);
  }

  // Every word of a C object's body after its header (fixed-size objects only).
  void body(PyObject* object) {
    auto size = static_cast<std::size_t>(Py_TYPE(object)->tp_basicsize);
    for (std::size_t offset = sizeof(PyObject); offset + sizeof(std::uintptr_t) <= size;
         offset += sizeof(std::uintptr_t)) {
      auto* slot = reinterpret_cast<PyObject* const*>(reinterpret_cast<char*>(object) + offset);
      word(object, slot);
    }
  }

  void probe(PyObject* callable, PyObject* args, std::string what) {
    if (!callable) return;
    PyObject* expected = PyObject_Call(callable, args, nullptr);
    if (!expected) {
      PyErr_Clear();
      return;
    }
    keep(callable);
    keep(args);
    out_.probes.push_back({callable, args, expected, std::move(what)});
  }

  void method_probe(PyObject* object, const char* method, std::string what) {
    PyObject* bound = PyObject_GetAttrString(object, method);
    if (!bound) {
      PyErr_Clear();
      return;
    }
    PyObject* args = PyTuple_New(0);
    probe(bound, args, std::move(what));
  }

  void attribute_probes(PyObject* object, std::initializer_list<const char*> names) {
    PyObject* getattr = PyDict_GetItemString(PyEval_GetBuiltins(), "getattr");
    for (const char* name : names) {
      PyObject* args = Py_BuildValue("(Os)", object, name);
      probe(getattr, args, std::string(Py_TYPE(object)->tp_name) + "." + name);
    }
  }

  void one_object(PyObject* object);
  void attributes_and_members(PyObject* object);


  std::set<std::string> unknown_;  // C types seen that nothing here can compare
  PyObject* random_instance_ = nullptr;
  std::unordered_set<PyObject*> abc_sets_;  // the sets of every ABC's _abc_data

 private:
  Snapshot& out_;
  std::unordered_set<PyObject*> dicts_;
};

// C types whose instances cannot change once made (or whose changes the snapshot sees through
// the containers they hold): nothing to record. A C type outside this list and the ones
// one_object() handles makes the snapshot fail, and the worker forks a child per job.
bool immutable_c_type(const char* name) {
  static const std::unordered_set<std::string_view> kImmutable = {
      "int", "str", "float", "complex", "bytes", "bool", "NoneType", "ellipsis",
      "NotImplementedType", "tuple", "frozenset", "range", "slice", "code", "cell", "object",
      "builtin_function_or_method", "builtin_method", "method", "method-wrapper",
      "method_descriptor", "wrapper_descriptor", "getset_descriptor", "member_descriptor",
      "classmethod_descriptor", "mappingproxy", "weakref.ReferenceType", "weakref.ProxyType",
      "weakref.CallableProxyType", "types.SimpleNamespace", "types.GenericAlias", "moduledef",
      "PyCapsule", "stderrprinter", "re.Pattern", "re.Match", "datetime.date", "datetime.time",
      "datetime.datetime", "datetime.timedelta", "datetime.timezone", "decimal.Decimal",
      "decimal.SignalDictMixin", "_collections._tuplegetter", "functools._lru_list_elem",
      "unicodedata.UCD", "EncodingMap", "Token.MISSING", "_json.Scanner", "_json.Encoder",
      "sys.flags", "sys.version_info", "sys.hash_info", "sys.int_info", "sys.float_info",
      "sys.thread_info", "fractions.Fraction", "operator.itemgetter", "operator.attrgetter",
      "operator.methodcaller", "staticmethod", "classmethod", "property", "function",
      "module", "_contextvars.ContextVar", "_contextvars.Token", "hamt", "hamt_bitmap_node",
      "hamt_array_node", "hamt_collision_node",
  };
  return kImmutable.contains(name);
}

void Recorder::one_object(PyObject* object) {
  PyTypeObject* type = Py_TYPE(object);
  attributes_and_members(object);  // first: it may make the dict other fields point to
  bool handled = true;
  if (PyDict_Check(object)) {
    dict(object);
    if (type_named(object, "collections.defaultdict"))
      field(object, reinterpret_cast<PyObject* const*>(reinterpret_cast<char*>(object) +
                                                       sizeof(PyDictObject)));
  } else if (PyList_Check(object)) {
    list(object);
  } else if (PySet_Check(object)) {
    // An ABC's caches are emptied after every job; its registry is compared through
    // abc.get_cache_token(), which every register() call bumps.
    if (!abc_sets_.contains(object)) set(object);
  } else if (PyFunction_Check(object)) {
    // __code__, __defaults__ and __kwdefaults__ are audited (the audit hook sees them set);
    // the closure cannot be replaced; the dict pointer is recorded with the members.
    auto* function = reinterpret_cast<PyFunctionObject*>(object);
    for (PyObject* const* where : std::initializer_list<PyObject* const*>{
             &function->func_doc, &function->func_name, &function->func_qualname,
             &function->func_module, &function->func_annotations})
      field(object, where);
  } else if (PyCell_Check(object)) {
    field(object, &reinterpret_cast<PyCellObject*>(object)->ob_ref);
  } else if (PyType_Check(object)) {
    auto* kind = reinterpret_cast<PyTypeObject*>(object);
    for (PyObject* const* where : std::initializer_list<PyObject* const*>{
             reinterpret_cast<PyObject* const*>(&kind->tp_base), &kind->tp_bases, &kind->tp_mro,
             &kind->tp_dict})
      field(object, where);
    word(object, &kind->tp_name);
    word(object, &kind->tp_flags, ~static_cast<std::uintptr_t>(Py_TPFLAGS_VALID_VERSION_TAG));
    if (kind->tp_flags & Py_TPFLAGS_HEAPTYPE) {
      auto* heap = reinterpret_cast<PyHeapTypeObject*>(object);
      field(object, &heap->ht_name);
      field(object, &heap->ht_qualname);
      field(object, reinterpret_cast<PyObject* const*>(&object->ob_type));
    }
  } else if (type == &PyClassMethod_Type || type == &PyStaticMethod_Type ||
             type == &PyProperty_Type || type_named(object, "functools.partial")) {
    body(object);
  } else if (type_named(object, "decimal.Context")) {
    keep(object);
    out_.decimal_contexts.push_back(object);
  } else if (type_named(object, "itertools.count")) {
    PyObject* args = PyTuple_Pack(1, object);
    probe(reinterpret_cast<PyObject*>(&PyUnicode_Type), args, type->tp_name);
  } else if (type_named(object, "_thread.lock")) {
    method_probe(object, "locked", "a lock's state");
  } else if (type_named(object, "_thread.RLock")) {
    method_probe(object, "_is_owned", "a lock's state");
  } else if (type_named(object, "_io.TextIOWrapper")) {
    keep(object);
    out_.flushed_streams.push_back(object);
    attribute_probes(object, {"closed", "encoding", "errors", "line_buffering", "write_through",
                              "_CHUNK_SIZE", "buffer"});
  } else if (type_named(object, "_io.BufferedWriter") || type_named(object, "_io.BufferedReader")) {
    // __init__ can be called again on a live stream: its raw stream and buffer size are C state.
    attribute_probes(object, {"closed", "raw"});
    method_probe(object, "__sizeof__", std::string(type->tp_name) + " size");
  } else if (type_named(object, "_io.FileIO")) {
    attribute_probes(object, {"closed", "mode", "closefd"});
    method_probe(object, "fileno", "a file's descriptor");
  } else if (type_named(object, "functools._lru_cache_wrapper")) {
    keep(object);
    out_.lru_caches.push_back(object);
  } else if (PyByteArray_Check(object)) {
    probe(reinterpret_cast<PyObject*>(&PyBytes_Type), PyTuple_Pack(1, object), "a bytearray");
  } else if (type_named(object, "_contextvars.Context")) {
    probe(reinterpret_cast<PyObject*>(&PyDict_Type), PyTuple_Pack(1, object), "a context's variables");
  } else if (type_named(object, "collections.deque") || type_named(object, "array.array")) {
    probe(reinterpret_cast<PyObject*>(&PyList_Type), PyTuple_Pack(1, object), type->tp_name);
  } else {
    handled = false;
  }

  if (PyModule_Check(object)) field(object, reinterpret_cast<PyObject* const*>(&object->ob_type));
  bool python_class = (type->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
                      !(type->tp_flags & Py_TPFLAGS_IMMUTABLETYPE) && !PyType_Check(object);
  if (!handled && !python_class && !immutable_c_type(type->tp_name)) unknown_.insert(type->tp_name);
  if (!python_class) return;
  field(object, reinterpret_cast<PyObject* const*>(&object->ob_type));
  // A Python class may keep state in a C base the checks above do not see.
  PyTypeObject* base = type;
  while (base && (base->tp_flags & Py_TPFLAGS_HEAPTYPE) && !(base->tp_flags & Py_TPFLAGS_IMMUTABLETYPE))
    base = base->tp_base;
  if (base && !handled && !immutable_c_type(base->tp_name)) {
    if (std::strcmp(base->tp_name, "_random.Random") == 0) {
      // random's own generator is put back before every input; any other is compared.
      if (object != random_instance_) method_probe(object, "getstate", "a random generator's state");
    } else {
      unknown_.insert(base->tp_name);
    }
  }
}

// The instance dict (made now if the object has room for one but none yet, so attributes a
// job plants later land in a dict the snapshot knows) and every writable member, of Python
// and C types alike (`__slots__`, `builtin_function.__module__`, `FileIO._blksize`...).
void Recorder::attributes_and_members(PyObject* object) {
  PyTypeObject* type = Py_TYPE(object);
  if (PyType_Check(object) || PyModule_Check(object)) return;  // their dicts are recorded already
  if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
    // 3.11 keeps the attributes of many instances in an inline array, not a dict object;
    // asking for __dict__ moves them into one, whose version tag then tracks every write.
    if (PyObject* attributes = PyObject_GenericGetDict(object, nullptr)) {
      dict(attributes);
      Py_DECREF(attributes);
    } else {
      PyErr_Clear();
    }
  }
  // The dict pointer itself: `obj.__dict__ = {}` swaps the dict, and an object that has none
  // yet gets one when a job plants the first attribute (its dict, if any, is recorded where
  // the walk finds it).
  if (type->tp_dictoffset != 0 || (type->tp_flags & Py_TPFLAGS_MANAGED_DICT))
    if (PyObject** where = _PyObject_GetDictPtr(object)) field(object, where);
  if (PyFunction_Check(object)) return;  // one_object() records a function's fields
  PyObject* mro = type->tp_mro;
  for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); ++i) {
    auto* base = reinterpret_cast<PyTypeObject*>(PyTuple_GET_ITEM(mro, i));
    for (PyMemberDef* member = base->tp_members; member && member->name; ++member) {
      if (member->flags & READONLY) continue;
      const char* at = reinterpret_cast<const char*>(object) + member->offset;
      switch (member->type) {
        case T_OBJECT:
        case T_OBJECT_EX:
          field(object, reinterpret_cast<PyObject* const*>(at));
          break;
        case T_BOOL: case T_BYTE: case T_UBYTE: case T_CHAR:
          word(object, at, 0xff, 1);
          break;
        case T_SHORT: case T_USHORT:
          word(object, at, 0xffff, 2);
          break;
        case T_INT: case T_UINT: case T_FLOAT:
          word(object, at, 0xffffffff, 4);
          break;
        case T_LONG: case T_ULONG: case T_PYSSIZET: case T_LONGLONG: case T_ULONGLONG: case T_DOUBLE:
          word(object, at, ~std::uintptr_t{0}, 8);
          break;
        default:
          break;
      }
    }
  }
}

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

Snapshot* current() { return g_snapshot; }
const char* audit_alarm() { return g_alarm; }
void set_quiet(bool quiet) { g_quiet = quiet; }
void set_alarm(const char* why) {
  if (g_alarm[0] != '\0') return;
  std::size_t length = std::min(std::strlen(why), sizeof g_alarm - 1);
  std::memcpy(g_alarm, why, length);
  g_alarm[length] = '\0';
}

}  // namespace guard

tl::expected<GuardSummary, std::string> snapshot_state() {
#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030C0000
  return tl::unexpected(std::string("the state guard knows CPython 3.11 only"));
#else
  using namespace guard;
  if (auto guarded = guard_module_creation(); !guarded) return tl::unexpected(guarded.error());
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
  if (PySys_AddAuditHook(audit_hook, nullptr) != 0) {
    PyErr_Clear();
    return tl::unexpected(std::string("PySys_AddAuditHook failed"));
  }
  g_snapshot = snapshot;
  return GuardSummary{snapshot->dicts.size() + snapshot->lists.size() + snapshot->sets.size(),
                      snapshot->words.size() + snapshot->probes.size()};
#endif
}

}  // namespace autoif::sandbox::worker
