// What the state guard records (state_guard.cpp) and later compares (state_guard_verify.cpp).
// Internal to those two files; Python.h must be included before this header.
#pragma once

#include <tl/expected.hpp>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace autoif::sandbox::worker::guard {

struct DictRecord {
  PyObject* dict;
  std::uint64_t version;  // ma_version_tag when recorded (updated when found unchanged)
  std::size_t first;      // its (key, value) pairs start at pairs[first]
  std::size_t size;       // number of pairs
  Py_ssize_t bytes;       // sys.getsizeof: grown and emptied again is still a trace
};

struct SequenceRecord {
  PyObject* object;   // a list or a set
  std::size_t first;  // its items start at items[first]
  std::size_t size;
};

// Up to one machine word inside an object (a field, a __slots__ or C member value, the
// object's class).
struct WordRecord {
  const void* where;
  std::uintptr_t value;
  std::uintptr_t mask;  // bits that must match
  PyObject* owner;      // for the message
  std::uint8_t bytes;   // 1, 2, 4 or 8
};

// A call whose answer must not change (a setting, a lock state, a repr of a C object's state).
struct Probe {
  PyObject* callable;
  PyObject* args;      // a tuple
  PyObject* expected;  // the answer when recorded
  std::string what;
};

struct Snapshot {
  std::vector<DictRecord> dicts;
  std::vector<PyObject*> pairs;
  std::vector<SequenceRecord> lists;
  std::vector<SequenceRecord> sets;
  std::vector<PyObject*> items;
  std::vector<WordRecord> words;
  std::vector<Probe> probes;
  // Put back before comparing.
  std::vector<PyObject*> flushed_streams;
  std::vector<PyObject*> cleared_dicts;                        // caches emptied after every job
  std::vector<std::pair<PyObject*, Py_ssize_t>> trimmed_dicts;  // cut back to this many entries
  std::vector<PyObject*> lru_caches;                            // cache_clear() after every job
  PyObject* reset_abc_caches = nullptr;                         // _abc._reset_caches
  std::vector<PyObject*> abc_classes;
  std::vector<PyObject*> decimal_contexts;  // clear_flags() after every job
  sigset_t signal_mask;
  PyObject* get_objects = nullptr;       // gc.get_objects, to count what outlived a job
};

// The one snapshot of this process (set by snapshot_state(), read in children).
Snapshot* current();

// The first audit event since the worker sealed that reaches past what the snapshot can compare,
// or "" (state_guard.cpp installs the hook). While `quiet` is set, the guard's own calls raise
// no alarm (it is set only while no job code can run unnoticed: see state_guard_verify.cpp).
const char* audit_alarm();
void set_alarm(const char* why);
void set_quiet(bool quiet);

// Installs the audit hook (state_guard_alarm.cpp); false if CPython refused it.
bool install_audit_hook();

// Replaces the functions whose C state the snapshot cannot read back (_imp's module makers,
// _locale's message-catalogue settings) with ones that set the alarm first. Called before the
// snapshot, so the replacements are what it records.
tl::expected<void, std::string> guard_functions();

}  // namespace autoif::sandbox::worker::guard
