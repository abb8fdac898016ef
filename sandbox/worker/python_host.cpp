#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sandbox/worker/python_host.h"

#include <malloc.h>

#include <cstring>

#include "sandbox/protocol.h"

namespace autoif::sandbox::worker {
namespace {

// Run once in the worker before sealing. Codecs and _strptime are imported lazily by the
// standard library at call time, so they are loaded now, while the filesystem is visible.
constexpr const char* kPreload = R"PY(
import importlib
# The codecs text-processing code actually names, not all ~120 of encodings/: every module
# preloaded is memory each forked child may have to copy.
for _name in ("encodings.aliases", "encodings.utf_8", "encodings.utf_8_sig", "encodings.ascii",
              "encodings.latin_1", "encodings.utf_16", "encodings.utf_16_le", "encodings.utf_16_be",
              "encodings.utf_32", "encodings.utf_32_le", "encodings.utf_32_be", "encodings.cp1252",
              "encodings.cp437", "encodings.iso8859_15", "encodings.idna", "encodings.punycode",
              "encodings.unicode_escape", "encodings.raw_unicode_escape", "encodings.charmap",
              "encodings.base64_codec", "encodings.hex_codec", "encodings.rot_13",
              "_strptime", "html.entities", "html.parser", "json.decoder", "json.encoder",
              "json.scanner", "collections.abc", "string", "copyreg", "weakref"):
    try:
        importlib.import_module(_name)
    except Exception:
        pass
del _name
# A codec found once is cached by the interpreter: look the preloaded ones up now, so a job
# that uses one does not add to that cache (which the state guard would see as a change).
import codecs
for _encoding in ("utf-8", "utf-8-sig", "ascii", "latin-1", "utf-16", "utf-16-le", "utf-16-be",
                  "utf-32", "utf-32-le", "utf-32-be", "cp1252", "cp437", "iso8859-15", "idna",
                  "punycode", "unicode-escape", "raw-unicode-escape", "charmap", "base64",
                  "hex", "rot-13"):
    try:
        codecs.lookup(_encoding)
    except Exception:
        pass
del _encoding
)PY";

constexpr const char* kSeal = R"PY(
import sys, random, gc

class _SandboxImports:
    """Finds nothing: only modules loaded before sealing can be imported."""
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        raise ModuleNotFoundError(
            "No module named '%s' (not available in the sandbox)" % name, name=name)

sys.meta_path[:] = [_SandboxImports]
sys.path[:] = []
sys.path_hooks[:] = []
sys.path_importer_cache.clear()
random.seed(0)
del _SandboxImports
gc.collect()
)PY";

// Everything loaded so far lives as long as the worker: keep the collector of every child away
// from it, so collections neither write to (and copy) the worker's pages nor walk them.
constexpr const char* kFreeze = R"PY(
import gc
gc.collect()
gc.freeze()
)PY";

// Keeps a message to protocol::kMaxVerdictMessage bytes without splitting a UTF-8 sequence.
std::string clip(std::string text) {
  if (text.size() <= protocol::kMaxVerdictMessage) return text;
  std::size_t end = protocol::kMaxVerdictMessage;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  text.append("...");
  return text;
}

std::string utf8(PyObject* object) {
  if (!object) return {};
  PyObject* text = PyObject_Str(object);
  if (!text) {
    PyErr_Clear();
    return {};
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text, &size);
  std::string out = data ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
  if (!data) PyErr_Clear();
  Py_DECREF(text);
  return out;
}

// "TypeName: message" for the pending exception, which is cleared.
std::string describe_exception() {
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyErr_NormalizeException(&type, &value, &traceback);
  std::string name = type ? reinterpret_cast<PyTypeObject*>(type)->tp_name : "exception";
  std::string detail = utf8(value);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
  PyErr_Clear();
  return clip(detail.empty() ? name : name + ": " + detail);
}

// CPython 3.11 reports a failed allocation of its frame stack (deep recursion under a memory
// limit) as "SystemError: error return without exception set" instead of MemoryError.
bool frame_stack_exhausted() {
  if (!PyErr_ExceptionMatches(PyExc_SystemError)) return false;
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  std::string text = utf8(value);
  PyErr_Restore(type, value, traceback);
  return text.find("without exception set") != std::string::npos;
}

tl::expected<void, std::string> run_snippet(const char* code, const char* what) {
  PyObject* globals = PyDict_New();
  PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  PyObject* result = PyRun_String(code, Py_file_input, globals, globals);
  Py_DECREF(globals);
  if (!result) return tl::unexpected(std::string(what) + ": " + describe_exception());
  Py_DECREF(result);
  return {};
}

bool import_module(const std::string& name) {
  PyObject* module = PyImport_ImportModule(name.c_str());
  if (!module) {
    PyErr_Clear();
    return false;
  }
  Py_DECREF(module);
  return true;
}

}  // namespace

tl::expected<PythonSetup, std::string> start_python(const std::vector<std::string>& modules,
                                                    const std::vector<std::string>& extras) {
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.use_hash_seed = 1;  // same set/dict iteration order in every worker and every run
  config.hash_seed = 0;
  config.install_signal_handlers = 0;
  config.write_bytecode = 0;  // never write __pycache__ into the host's library folders
  config.site_import = 1;     // the system dist-packages, for extras such as nltk
  config.user_site_directory = 0;
  PyStatus status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status))
    return tl::unexpected(std::string("Py_InitializeFromConfig: ") +
                          (status.err_msg ? status.err_msg : "failed"));

  PythonSetup setup;
  setup.version = Py_GetVersion();
  if (auto pos = setup.version.find(' '); pos != std::string::npos) setup.version.resize(pos);
  if (auto preloaded = run_snippet(kPreload, "preloading codecs"); !preloaded)
    return tl::unexpected(preloaded.error());
  for (const auto* list : {&modules, &extras})
    for (const auto& name : *list)
      (import_module(name) ? setup.loaded : setup.missing).push_back(name);
  return setup;
}

namespace {
// The global random generator right after random.seed(0), byte for byte: putting these bytes
// back is what seed(0) does, in a memcmp instead of 4 us of MT initialisation per input.
struct PristineRandom {
  PyObject* instance = nullptr;
  PyObject* attributes = nullptr;  // its __dict__, where gauss_next lives
  PyObject* gauss_next = nullptr;  // the key
  std::string body;                // the C state after the object header
} g_pristine_random;

void capture_random() {
  PyObject* random = PyDict_GetItemString(PyImport_GetModuleDict(), "random");
  PyObject* instance = random ? PyObject_GetAttrString(random, "_inst") : nullptr;
  PyErr_Clear();
  if (!instance) return;
  PyTypeObject* base = Py_TYPE(instance);
  while (base && std::strcmp(base->tp_name, "_random.Random") != 0) base = base->tp_base;
  PyObject* attributes = PyObject_GenericGetDict(instance, nullptr);
  PyErr_Clear();
  if (!base || !attributes || base->tp_basicsize <= static_cast<Py_ssize_t>(sizeof(PyObject))) {
    Py_XDECREF(attributes);
    Py_DECREF(instance);
    return;
  }
  g_pristine_random.instance = instance;
  g_pristine_random.attributes = attributes;
  g_pristine_random.gauss_next = PyUnicode_InternFromString("gauss_next");
  g_pristine_random.body.assign(reinterpret_cast<const char*>(instance) + sizeof(PyObject),
                                static_cast<std::size_t>(base->tp_basicsize) - sizeof(PyObject));
}
}  // namespace

tl::expected<void, std::string> seal_imports() {
  auto sealed = run_snippet(kSeal, "sealing imports");
  if (sealed) capture_random();
  return sealed;
}

tl::expected<void, std::string> freeze_heap() { return run_snippet(kFreeze, "freezing the heap"); }

namespace {
PyObject* g_random_seed = nullptr;  // random.seed, looked up before untrusted code runs
PyObject* g_zero = nullptr;
PyObject* g_job_context = nullptr;  // the context a job runs in

// The interpreter's small-object arenas come from mmap, outside malloc's statistics: count them.
PyObjectArenaAllocator g_arenas{};
std::int64_t g_arena_bytes = 0;

// Arenas a job freed, kept for the next: unmapping and mapping them again costs a TLB flush
// and a fault per page, every job, and page faults are what is slow on a virtual machine.
constexpr std::size_t kCachedArenas = 16;
std::pair<void*, std::size_t> g_arena_cache[kCachedArenas];
std::size_t g_cached_arenas = 0;

void* counted_arena_alloc(void* context, std::size_t size) {
  for (std::size_t i = g_cached_arenas; i-- > 0;)
    if (g_arena_cache[i].second == size) {
      void* arena = g_arena_cache[i].first;
      g_arena_cache[i] = g_arena_cache[--g_cached_arenas];
      return arena;
    }
  void* arena = g_arenas.alloc(context, size);
  if (arena) g_arena_bytes += static_cast<std::int64_t>(size);
  return arena;
}

void counted_arena_free(void* context, void* arena, std::size_t size) {
  if (g_cached_arenas < kCachedArenas) {
    g_arena_cache[g_cached_arenas++] = {arena, size};
    return;
  }
  g_arenas.free(context, arena, size);
  g_arena_bytes -= static_cast<std::int64_t>(size);
}
}  // namespace

void after_fork() {
  PyOS_AfterFork_Child();
  PyObject_GetArenaAllocator(&g_arenas);
  PyObjectArenaAllocator counted{g_arenas.ctx, counted_arena_alloc, counted_arena_free};
  PyObject_SetArenaAllocator(&counted);
  // Likewise for malloc: keep freed memory instead of trimming it back to the system.
  ::mallopt(M_TRIM_THRESHOLD, 32 << 20);
  if (PyObject* random = PyDict_GetItemString(PyImport_GetModuleDict(), "random"))
    g_random_seed = PyObject_GetAttrString(random, "seed");
  g_zero = PyLong_FromLong(0);
  PyErr_Clear();
}

void reset_random() {
  if (auto& pristine = g_pristine_random; pristine.instance) {
    char* body = reinterpret_cast<char*>(pristine.instance) + sizeof(PyObject);
    if (std::memcmp(body, pristine.body.data(), pristine.body.size()) != 0)
      std::memcpy(body, pristine.body.data(), pristine.body.size());
    if (PyDict_GetItemWithError(pristine.attributes, pristine.gauss_next) != Py_None &&
        PyDict_SetItem(pristine.attributes, pristine.gauss_next, Py_None) != 0)
      PyErr_Clear();
    return;
  }
  if (!g_random_seed) return;
  if (PyObject* done = PyObject_CallOneArg(g_random_seed, g_zero))
    Py_DECREF(done);
  else
    PyErr_Clear();
}

void begin_job() {
  PyObject* context = PyContext_CopyCurrent();
  if (context && PyContext_Enter(context) == 0) {
    g_job_context = context;
  } else {
    Py_XDECREF(context);
    PyErr_Clear();
  }
}

void end_job(void* evaluate) {
  Py_XDECREF(static_cast<PyObject*>(evaluate));
  // Collected inside the job's context: a finaliser that sets a context variable sets it in the
  // context that is thrown away next, not in the one every later job starts from.
  PyGC_Collect();
  PyErr_Clear();
  if (g_job_context) {
    if (PyContext_Exit(g_job_context) != 0) PyErr_Clear();
    Py_CLEAR(g_job_context);
  }
}

std::int64_t heap_bytes() {
  struct mallinfo2 info = ::mallinfo2();
  return static_cast<std::int64_t>(info.arena + info.hblkhd) + g_arena_bytes;
}

tl::expected<void*, std::string> compile_function(std::string_view source) {
  if (source.find('\0') != std::string_view::npos)
    return tl::unexpected(std::string("the source contains a NUL byte"));
  std::string text(source);
  PyObject* code = Py_CompileString(text.c_str(), "<function>", Py_file_input);
  if (!code) return tl::unexpected(describe_exception());
  // A fresh module namespace per function: helpers defined next to evaluate() resolve, and
  // `if __name__ == "__main__":` blocks (self-tests models like to add) do not run.
  PyObject* globals = PyDict_New();
  PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  PyObject* name = PyUnicode_FromString("__verifier__");
  PyDict_SetItemString(globals, "__name__", name);
  Py_DECREF(name);
  PyObject* result = PyEval_EvalCode(code, globals, globals);
  Py_DECREF(code);
  // The namespace lives on through evaluate.__globals__ (and whatever else refers to it); once
  // the job drops evaluate, it is garbage, so a child that runs the next job holds nothing of it.
  struct Release {
    PyObject* globals;
    ~Release() { Py_DECREF(globals); }
  } release{globals};
  if (!result) return tl::unexpected(describe_exception());
  Py_DECREF(result);
  PyObject* evaluate = PyDict_GetItemString(globals, "evaluate");
  if (!evaluate) return tl::unexpected(std::string("the source defines no function 'evaluate'"));
  if (!PyCallable_Check(evaluate))
    return tl::unexpected(std::string("'evaluate' is not callable"));
  Py_INCREF(evaluate);
  return static_cast<void*>(evaluate);
}

CallOutcome call_evaluate(void* evaluate, std::string_view input) {
  CallOutcome outcome;
  PyObject* argument = PyUnicode_DecodeUTF8(input.data(), static_cast<Py_ssize_t>(input.size()),
                                            "surrogateescape");
  if (!argument) {
    bool memory = PyErr_ExceptionMatches(PyExc_MemoryError);
    outcome.message = describe_exception();
    outcome.status = memory ? Status::memory_limit : Status::crashed;
    return outcome;
  }
  PyObject* value = PyObject_CallOneArg(static_cast<PyObject*>(evaluate), argument);
  Py_DECREF(argument);
  if (!value) {
    bool memory = PyErr_ExceptionMatches(PyExc_MemoryError) || frame_stack_exhausted();
    outcome.message = describe_exception();
    outcome.status = memory ? Status::memory_limit : Status::runtime_error;
    return outcome;
  }
  if (PyBool_Check(value)) {
    outcome.status = Status::ok;
    outcome.result = value == Py_True;
  } else {
    outcome.status = Status::bad_return;
    outcome.message = std::string("evaluate returned ") + Py_TYPE(value)->tp_name + ", not bool";
  }
  Py_DECREF(value);
  return outcome;
}

}  // namespace autoif::sandbox::worker
