// The embedded interpreter of a sandbox worker. Python.h stays inside python_host.cpp.
//
// In the worker: start() once (imports every allowed module while the filesystem is still
// visible), then seal() so that later imports find only what is already loaded.
// In a forked child: after_fork(), then compile() once and call() per input.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/verdict.h"

namespace autoif::sandbox::worker {

struct PythonSetup {
  std::string version;
  std::vector<std::string> loaded;
  std::vector<std::string> missing;
};

// Starts an isolated interpreter (no environment, no user site, fixed hash seed, no .pyc
// writes, no signal handlers) and imports `modules` and `extras`. A default module that cannot
// be imported is reported as missing, as is an extra that is not installed.
tl::expected<PythonSetup, std::string> start_python(const std::vector<std::string>& modules,
                                                    const std::vector<std::string>& extras);

// Imports are limited to modules already loaded (anything else raises ModuleNotFoundError
// naming the module); `random` is seeded so that verdicts do not depend on the worker.
tl::expected<void, std::string> seal_imports();

// Moves every object that exists now out of the collector's reach (after the state guard's
// snapshot, which needs the collector's list of them).
tl::expected<void, std::string> freeze_heap();

// Must be the first interpreter call in a forked child.
void after_fork();

// Puts `random` back to its fixed seed (CPython reseeds it from the OS in every forked child):
// called before the source runs and before every input, so a verdict never depends on which
// child, batch or position evaluated it.
void reset_random();

// Brackets one job in a child that may run many: begin_job() enters a fresh copy of the
// thread's context (so ContextVar.set and decimal.setcontext stay inside the job); end_job()
// drops `evaluate` (and with it the job's namespace), leaves that context and collects the
// job's garbage, running any finalisers it left.
void begin_job();
void end_job(void* evaluate);

// Bytes the child's heaps hold now (malloc plus the interpreter's arenas): how much memory a
// run of jobs has left behind, compared with the same figure when the child started.
std::int64_t heap_bytes();

// Executes `source` in a fresh module namespace and returns its `evaluate` (an opaque handle
// valid for the life of the child), or the one-line reason it could not.
tl::expected<void*, std::string> compile_function(std::string_view source);

struct CallOutcome {
  Status status = Status::crashed;
  bool result = false;
  std::string message;
};

CallOutcome call_evaluate(void* evaluate, std::string_view input);

}  // namespace autoif::sandbox::worker
