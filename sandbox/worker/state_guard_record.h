// Recording what a later job could change (state_guard.cpp walks the objects; this records
// each one into the Snapshot). Internal to the state guard; Python.h comes first.
#pragma once

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "sandbox/worker/state_guard_data.h"

namespace autoif::sandbox::worker::guard {

bool type_named(PyObject* object, const char* name);
// A loaded module (borrowed), or null.
PyObject* module(const char* name);
// A new reference to module_name.attribute, kept for good by callers, or null.
PyObject* module_attribute(const char* module_name, const char* attribute);

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

  // Every word of a C object's body after its header (fixed-size objects only), up to `size`
  // bytes (default: its type's whole basic size).
  void body(PyObject* object, std::size_t size = 0) {
    if (size == 0) size = static_cast<std::size_t>(Py_TYPE(object)->tp_basicsize);
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

}  // namespace autoif::sandbox::worker::guard
