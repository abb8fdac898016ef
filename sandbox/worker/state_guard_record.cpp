// Recording one object into the snapshot (see state_guard_record.h).
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "sandbox/worker/state_guard_record.h"

#include <string_view>

namespace autoif::sandbox::worker::guard {

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

namespace {

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
"_collections._tuplegetter", "functools._lru_list_elem",
      "unicodedata.UCD", "EncodingMap", "Token.MISSING", "_json.Scanner", "_json.Encoder",
      "sys.flags", "sys.version_info", "sys.hash_info", "sys.int_info", "sys.float_info",
      "sys.thread_info", "fractions.Fraction", "operator.itemgetter", "operator.attrgetter",
      "operator.methodcaller",
      "module", "_contextvars.ContextVar", "_contextvars.Token", "hamt", "hamt_bitmap_node",
      "hamt_array_node", "hamt_collision_node",
  };
  return kImmutable.contains(name);
}

}  // namespace

namespace {

bool state_in_body(std::string_view base) {
  return base == "decimal.SignalDictMixin" || base == "property" || base == "classmethod" ||
         base == "staticmethod" || base == "functools.partial";
}

}  // namespace

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
    if (state_in_body(base->tp_name)) {
      // The C base's fields are the state: a context's traps or flags (one pointer at the
      // context's bits, which __init__ on a live one sets to null), a property, classmethod,
      // staticmethod or partial subclass (which __init__ or __setstate__ can refill).
      body(object, static_cast<std::size_t>(base->tp_basicsize));
    } else if (std::strcmp(base->tp_name, "_random.Random") == 0) {
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

}  // namespace autoif::sandbox::worker::guard
