// Red-team attacks on child reuse (see attack_reuse.cpp for the ones the guard already stops).
// Each case: a tamperer job changes state the state guard (sandbox/worker/state_guard.h) may
// not compare; the observer job that follows, on the same worker, must see exactly what it saw
// on a clean child before the tamperer ran. All but two of them got through the first version
// of the guard (the child was kept and the observer saw the change); they are why it also
// compares live objects, descriptors, C members and more settings.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

constexpr const char* kTrue = "def evaluate(response):\n    return True\n";

// load(name): a builtin module, loaded without the import system (whose bookkeeping the guard
// sees) and without leaving a new entry in sys.modules.
constexpr const char* kLoader =
    "import sys, _imp, types\n"
    "def load(name):\n"
    "    if name in sys.modules:\n"
    "        return sys.modules[name]\n"
    "    module = _imp.create_builtin(types.SimpleNamespace(name=name))\n"
    "    sys.modules.pop(name, None)\n"
    "    return module";

// What `expression` evaluates to in a job importing `imports`, as the message of the error
// that carries its repr out (an error, so that any value can be compared).
Verdict observe(const std::string& imports, const std::string& expression) {
  auto result = run(imports + "\ndef evaluate(response):\n    raise ValueError(repr(" + expression + "))\n",
                    {"x"});
  REQUIRE(result.verdicts.size() == 1);
  return result.verdicts[0];
}

struct Probe {
  const char* imports;     // shared by the tamperer and the observer
  const char* tamper;      // the tamperer's module-level code
  const char* observed;    // an expression the observer reports
};

// The observer sees the same before and after the tamperer; `retired` says whether the guard
// noticed (only the observation is asserted: a retired child is as good as a put-back one).
void require_unobservable(const Probe& probe) {
  // Leaks found here outlive their test: start from a child forked after a retirement.
  auto reset = run("import sys\nsys.path.append('retire')\n" + std::string(kTrue), {"reset"});
  REQUIRE_FALSE(reset.retired.empty());
  run(kTrue, {"warm"});
  auto before = observe(probe.imports, probe.observed);
  CHECK(before.status == Status::runtime_error);
  std::string tamperer = std::string(probe.imports) + "\n" + probe.tamper + "\n" + kTrue;
  auto tampered = run(tamperer, {"a"});
  INFO("tamperer:\n" << tamperer << describe(tampered) << "\nretired: '" << tampered.retired
                     << "' forks: " << tampered.forks);
  REQUIRE(tampered.verdicts.size() == 1);
  CHECK(tampered.verdicts[0].status == Status::ok);
  auto after = observe(probe.imports, probe.observed);
  INFO("observed: " << probe.observed << "\nbefore: " << describe(before) << "\nafter:  " << describe(after));
  CHECK(after == before);
  require_host_untouched();
}

}  // namespace

TEST_CASE("a decimal context set by a finaliser after the job is not the next job's context") {
  // The finaliser runs when the job's namespace is collected, after the job's context was left:
  // it sets the context variable in the worker's base context, which every later job copies.
  require_unobservable({"import decimal",
                        "class _Mine:\n"
                        "    def __del__(self):\n"
                        "        decimal.setcontext(decimal.Context(prec=3))\n"
                        "_mine = _Mine()\n"
                        "_mine.self = _mine",
                        "str(decimal.Decimal(1) / decimal.Decimal(3))"});
}

TEST_CASE("a self-renewing weakref callback cannot patch builtins while the next job runs") {
  // Each collection frees the newest bait, whose weakref callback leaves a new bait behind:
  // in the guard's collections (no Python frame runs) it puts len() back and hangs 720 new
  // containers on a kept list, so that generation 0 is over its threshold when the guard
  // ends; the next job's first allocations inside its own code then bring a collection that
  // patches len(). No class is defined (a class that outlives its job shows in
  // object.__subclasses__, which the guard watches); everything hangs from an unwatched
  // field, math.sqrt.__module__. The observer does nothing but call len().
  require_unobservable({"import builtins, sys, math, weakref",
                        "_real_len = builtins.len\n"
                        "_holder, _keep = [], []\n"
                        "def _fire(_ref):\n"
                        "    try:\n"
                        "        sys._getframe(1)\n"
                        "        inside = True\n"
                        "    except ValueError:\n"
                        "        inside = False\n"
                        "    builtins.len = (lambda obj: 0) if inside else _real_len\n"
                        "    if inside:\n"
                        "        _keep.clear()\n"
                        "    _arm(not inside)\n"
                        "def _arm(ballast):\n"
                        "    bait = lambda: None\n"
                        "    bait.me = bait\n"
                        "    if ballast:\n"
                        "        _keep.append([[] for _ in range(720)])\n"
                        "    _holder[:] = [weakref.ref(bait, _fire)]\n"
                        "math.sqrt.__module__ = _holder\n"
                        "_arm(False)",
                        "len('ab')"});
}

TEST_CASE("a decimal context set in the job body is not the next job's context") {
  require_unobservable({"import decimal", "decimal.setcontext(decimal.Context(prec=3))",
                        "str(decimal.Decimal(1) / decimal.Decimal(3))"});
}

TEST_CASE("an attribute planted on a standard stream's buffer is gone in the next job") {
  // BufferedWriter creates its __dict__ on first use, so the snapshot never saw one.
  require_unobservable({"import sys", "sys.stdout.buffer.planted = 'from the tamperer'",
                        "getattr(sys.stdout.buffer, 'planted', None)"});
}

TEST_CASE("C-level fields of the standard streams changed by one job are intact in the next") {
  require_unobservable({"import sys", "sys.stdout._CHUNK_SIZE = 1\nsys.stdout.buffer.raw._blksize = 3",
                        "(sys.stdout._CHUNK_SIZE, sys.stdout.buffer.raw._blksize)"});
}

TEST_CASE("the __module__ of a builtin function changed by one job is intact in the next") {
  // Also a place to park any object (the tamperer's whole namespace) past the job.
  require_unobservable({"import math", "math.sqrt.__module__ = 'forged'", "math.sqrt.__module__"});
}

TEST_CASE("a write hook on stdout's buffer cannot patch builtins during the next job's print") {
  // The hook patches len() while the next job prints, and puts it back when the guard flushes
  // the streams (before it compares), so the child is kept and the backdoor stays for good.
  require_unobservable({"import sys, builtins",
                        "_real_len = builtins.len\n"
                        "def _write(data):\n"
                        "    if b'progress' in data:\n"
                        "        builtins.len = lambda obj: 0\n"
                        "    return _real_len(data)\n"
                        "def _flush():\n"
                        "    builtins.len = _real_len\n"
                        "sys.stdout._CHUNK_SIZE = 1\n"
                        "sys.stdout.buffer.write = _write\n"
                        "sys.stdout.buffer.flush = _flush",
                        "(print('progress'), len('ab'))[1]"});
}

TEST_CASE("standard output closed at the descriptor by one job still works in the next") {
  require_unobservable({"import os, sys", "os.close(1)", "print('progress', flush=True)"});
}

TEST_CASE("the collector's frozen generation emptied by one job is intact in the next") {
  require_unobservable({"import gc", "gc.unfreeze()", "gc.get_freeze_count() > 0"});
}

TEST_CASE("exit callbacks registered by one job are gone in the next") {
  require_unobservable({kLoader, "for _ in range(100):\n    load('atexit').register(print)",
                        "load('atexit')._ncallbacks() < 50"});
}

TEST_CASE("the thread stack size set by one job is intact in the next") {
  require_unobservable({"import _thread", "_thread.stack_size(1 << 20)", "_thread.stack_size()"});
}

TEST_CASE("coroutine origin tracking set by one job is off in the next") {
  require_unobservable({"import sys", "sys.set_coroutine_origin_tracking_depth(7)",
                        "sys.get_coroutine_origin_tracking_depth()"});
}

TEST_CASE("dlopen flags set by one job are intact in the next") {
  require_unobservable({"import sys", "sys.setdlopenflags(0x100 | 1)", "sys.getdlopenflags()"});
}

TEST_CASE("a module dict grown and shrunk back by one job has its old size in the next") {
  require_unobservable({"import sys, textwrap",
                        "for _i in range(1000):\n"
                        "    setattr(textwrap, 'x%d' % _i, _i)\n"
                        "for _i in range(1000):\n"
                        "    delattr(textwrap, 'x%d' % _i)",
                        "sys.getsizeof(vars(textwrap))"});
}

TEST_CASE("tracemalloc started by one job is off in the next") {
  require_unobservable({kLoader,
                        "load('_tracemalloc').start()", "load('_tracemalloc').is_tracing()"});
}

TEST_CASE("faulthandler enabled by one job is off in the next") {
  require_unobservable({kLoader,
                        "load('faulthandler').enable()", "load('faulthandler').is_enabled()"});
}

// Runs `tamperer_code` (module level) in a job on a warm child; the child must end with a
// reason of its own, not die in the guard.
static void require_retired_with_reason(const std::string& tamperer_code) {
  run(kTrue, {"warm"});
  auto tampered = run(tamperer_code + "\n" + kTrue, {"a"});
  INFO(describe(tampered) << "\nretired: " << tampered.retired);
  REQUIRE(tampered.verdicts.size() == 1);
  CHECK(tampered.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK_FALSE(tampered.retired.empty());
  CHECK(tampered.retired != "the child ended");
}

TEST_CASE("a dict key the guard cannot print does not crash the child it checks") {
  // describe_dict() appended PyUnicode_AsUTF8() of a changed dict's keys, which is NULL for a
  // lone surrogate: the child died in the guard instead of retiring with a reason.
  require_retired_with_reason("import os\nos.environ._data['\\udcff'] = b'x'");
}

TEST_CASE("a job that closes the child's wake-up descriptor does not keep its child") {
  // Without descriptor 3 the child's "idle" write fails, and the worker notices each later job
  // only at that job's deadline: every job on the child then takes its full timeout.
  require_retired_with_reason("import os\nos.close(3)");
}

// --- Second red-team round --------------------------------------------------------------------
// (Left out on purpose: traces a later job can read but that change nothing it does, such as
// CPU time used, allocation and collection counts, how far bytecode was specialised, and the
// attribute names instances of a class share, which only the size of their dicts shows; the
// guard comparing those would retire the child after every textwrap.wrap().)

TEST_CASE("a standard stream's file object re-initialised by one job still writes in the next") {
  // FileIO.__init__ on the live stdout object: its descriptor, mode and closefd are C fields,
  // not members; putting the same name object back leaves its __dict__ as recorded. Pointed at
  // the wake-up eventfd (descriptor 1 itself is untouched, so the descriptor check agrees),
  // every later print that reaches the descriptor fails (an eventfd takes 8-byte writes only).
  require_unobservable({"import sys",
                        "_raw = sys.stdout.buffer.raw\n"
                        "_name = _raw.name\n"
                        "_raw.__init__(3, 'w', closefd=False)\n"
                        "_raw.name = _name",
                        "(sys.stdout.buffer.raw.fileno(), print('progress', flush=True))"});
}

TEST_CASE("a standard stream's buffer re-initialised by one job is intact in the next") {
  // BufferedWriter.__init__ swaps its raw stream and buffer size (C fields) and makes no object.
  require_unobservable({"import sys", "sys.stdout.buffer.__init__(sys.stderr.buffer.raw, 1)",
                        "(sys.stdout.buffer.raw.fileno(), sys.getsizeof(sys.stdout.buffer))"});
}

TEST_CASE("an ABC registry emptied by one job is intact in the next") {
  // _abc._reset_registry (ABCMeta._abc_registry_clear) empties the registry without bumping
  // the cache token the guard compares registries by.
  require_unobservable({"import collections.abc",
                        "collections.abc.Sequence._abc_registry_clear()\n"
                        "collections.abc.MutableMapping._abc_registry_clear()",
                        "(isinstance(range(1), collections.abc.Sequence),"
                        " isinstance({}, collections.abc.Mapping))"});
}

TEST_CASE("the message domain set by one job is intact in the next") {
  require_unobservable({"import _locale", "_locale.textdomain('planted')\n_locale.bindtextdomain('planted', '/planted')",
                        "(_locale.textdomain(None), _locale.bindtextdomain('planted', None))"});
}

// --- Third red-team round -------------------------------------------------------------------

TEST_CASE("a decimal context's traps re-initialised by one job still work in the next") {
  // SignalDict.__init__ nulls the C pointer behind a context's traps and flags mappings;
  // str(context), which the guard probes, reads the context itself and never notices.
  require_unobservable({"import decimal", "decimal.getcontext().traps.__init__()",
                        "decimal.getcontext().traps[decimal.Inexact]"});
}

TEST_CASE("the default context's flags re-initialised by one job still work in the next") {
  require_unobservable({"import decimal", "decimal.DefaultContext.flags.__init__()",
                        "decimal.DefaultContext.flags[decimal.Inexact]"});
}

TEST_CASE("module-level instances re-initialised by one job are intact in the next") {
  require_unobservable({"import json", "json._default_decoder.__init__(strict=False)",
                        "(lambda: json.loads('\"a\\tb\"'))()"});
  require_unobservable({"import datetime, _strptime", "_strptime._TimeRE_cache.__init__()",
                        "datetime.datetime.strptime('2024 5', '%Y %m').month"});
  require_unobservable({"import calendar", "calendar.setfirstweekday(6)", "calendar.firstweekday()"});
  require_unobservable({"import random", "random._inst.__init__(5)", "random.random()"});
  require_unobservable({"import sys", "sys.stdout.reconfigure(newline='\\r\\n')",
                        "sys.stdout.write('a\\n')"});
}

TEST_CASE("a string interned by one job is not interned in the next") {
  require_unobservable({"import sys", "sys.intern('rt3' + 'planted'.upper())",
                        "sys.intern(''.join(['rt3', 'PLANTED'])) is sys.intern(''.join(['rt3', 'PLANTED']))"});
}
