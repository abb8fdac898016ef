// Lets one job child run many jobs without one job's changes reaching the next.
//
// Forking a fresh child per job is the obvious isolation, but on a virtual machine every page a
// new address space touches costs a fault, and a job's fork costs several times what running
// its function does. So a child serves job after job, and after each one proves the shared
// interpreter is as the worker left it, or retires (exits) so the next job starts in a fresh
// fork. The proof is a comparison against a snapshot the worker takes once, after sealing:
// - every dict reachable from the interpreter's objects (module namespaces, builtins, class
//   and instance attributes, sys.modules): its version tag, and on a change its contents;
// - every list and set: its items, in order;
// - what lives outside containers: the dict pointer and every writable member of every
//   object (__slots__, builtin_function.__module__, FileIO._blksize...), function names and
//   docs, closure cells, classmethod/staticmethod/property/partial internals, class
//   bases/MRO/names, the class of every module and instance;
// - interpreter and C settings: recursion limit, int digits limit, switch interval, gc
//   settings, thread stack size, dlopen flags, coroutine tracking, the ABC registry token,
//   locale, signal handlers and mask, the C environment, decimal and context variables,
//   standard streams, lock states, and what descriptors 0-3 point to;
// - the set of live objects the collector tracks: exactly the ones before the first job, so no
//   object of a job (a finaliser, a weakref callback, a hook) survives to act in a later one;
// - an audit hook that marks the child on any event that reaches past these (gc introspection,
//   trace/profile functions, new audit hooks, __class__/__bases__/__code__ assignment, a module
//   made by hand through _imp outside the allowlist).
// Caches the standard library fills during normal use (re, _strptime, lru_cache, ABC caches,
// enum pseudo-members, decimal flags) are put back first, so ordinary functions keep the child.
// Anything the guard cannot explain retires the child: the cost of a false alarm is one fork.
// A C type it does not know how to compare (an extra module's) turns reuse off for the worker.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <string>

namespace autoif::sandbox::worker {

struct GuardSummary {
  std::size_t containers = 0;  // dicts, lists and sets watched
  std::size_t fields = 0;      // object fields and settings watched
};

// In the worker, once, after seal_imports() and before the first fork. Holds a reference to
// everything it records, so no recorded address is ever reused for another object.
tl::expected<GuardSummary, std::string> snapshot_state();

// In a child, once, before its first job: what it holds before any job (live objects, the
// files behind descriptors 0-3), which every later job must leave as it found it.
void note_child_start();

// In a child, after a job's own objects are released (inside the job's context, so that a
// finaliser setting a context variable sets it in a context that is thrown away): puts the
// known caches back as the snapshot had them (calling methods as their types define them, never
// an attribute planted on an object), then compares, last of all, the objects still alive with
// the ones alive before the first job: code a job leaves behind (a finaliser, a weakref
// callback, a hook) needs an object that outlives the job to run again later. Returns "" when everything later code could observe is as
// it was, else a short description of the first difference found.
std::string restore_and_verify_state();

}  // namespace autoif::sandbox::worker
