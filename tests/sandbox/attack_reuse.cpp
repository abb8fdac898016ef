// Attacks on child reuse. A worker hands the next job to the child that ran the last one when
// the state guard (sandbox/worker/state_guard.h) finds the interpreter unchanged. Each tamperer
// below changes one kind of shared state the guard watches; it checks in its own job that the
// change took effect, and the job after it (on the same worker) checks that it did not leak.
// A change the guard puts back (a poisoned cache) may keep the child; any other retires it.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

struct Tamper {
  const char* imports;  // shared by the tamperer and the victim
  const char* setup;    // the tamperer's module-level change
  const char* intact;   // true on an untouched interpreter
  const char* changed;  // true in the tamperer's own job once the change is made
};

enum class Outcome { retired, put_back };

// Module-level garbage in a reference cycle whose finaliser patches re.escape when collected.
constexpr const char* kCyclicLandmine =
    "class _Mine:\n"
    "    def __del__(self):\n"
    "        re.escape = lambda s: 'forged'\n"
    "_mine = _Mine()\n"
    "_mine.self = _mine\n"
    "del _mine";

void require_contained(const Tamper& tamper, Outcome outcome) {
  std::string tamperer = std::string(tamper.imports) + "\n" + tamper.setup +
                         "\ndef evaluate(response):\n    return bool(" + tamper.changed + ")\n";
  std::string victim = std::string(tamper.imports) +
                       "\ndef evaluate(response):\n    return bool(" + tamper.intact + ")\n";
  run("def evaluate(response):\n    return True\n", {"warm"});  // a clean child to start from
  auto tampered = run(tamperer, {"a"});
  INFO("tamperer:\n" << tamperer << describe(tampered));
  REQUIRE(tampered.verdicts.size() == 1);
  CHECK(tampered.verdicts[0] == Verdict{Status::ok, true, ""});  // the change was real
  CHECK(tampered.forks == 0);
  if (outcome == Outcome::retired)
    CHECK_FALSE(tampered.retired.empty());
  else
    CHECK(tampered.retired == "");
  auto checked = run(victim, {"b"});
  INFO("victim:\n" << victim << describe(checked));
  REQUIRE(checked.verdicts.size() == 1);
  CHECK(checked.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK(checked.forks == (outcome == Outcome::retired ? 1u : 0u));
  require_host_untouched();
}

}  // namespace

TEST_CASE("a clean job leaves its child to the next job") {
  run("def evaluate(response):\n    return True\n", {"warm"});
  auto first = run("import re\ndef evaluate(response):\n    return bool(re.match('a', response))\n", {"a", "b"});
  auto second = run("import json\ndef evaluate(response):\n    return json.loads(response) == 1\n", {"1"});
  INFO(describe(first) << describe(second));
  CHECK(first.forks == 0);
  CHECK(first.retired == "");
  CHECK(second.forks == 0);
  CHECK(second.verdicts == std::vector<Verdict>{{Status::ok, true, ""}});
}

TEST_CASE("ordinary verification functions keep their child") {
  // What model-written functions use every day fills caches (re, _strptime, lru_cache, enum
  // pseudo-flags, decimal flags, ABC caches); the guard puts those back instead of retiring.
  const char* sources[] = {
      "import re\ndef evaluate(r):\n    return bool(re.search(r'\\bhello\\b', r, re.I | re.M)) and re.sub(r'l+', 'L', r) == 'heLo'\n",
      "import json\ndef evaluate(r):\n    return json.loads(json.dumps({'a': [1, r]}))['a'][1] == r\n",
      "from datetime import datetime\ndef evaluate(r):\n    return datetime.strptime('2024-05-01', '%Y-%m-%d').month == 5\n",
      "from collections import Counter, OrderedDict\ndef evaluate(r):\n    return Counter(r).most_common(1)[0][0] == 'l' and list(OrderedDict(a=1)) == ['a']\n",
      "from decimal import Decimal\ndef evaluate(r):\n    return Decimal(1) / Decimal(3) < Decimal('0.34')\n",
      "import statistics, fractions\ndef evaluate(r):\n    return statistics.mean([1, 2, 3]) == 2 and fractions.Fraction(1, 3) * 3 == 1\n",
      "import difflib, textwrap\ndef evaluate(r):\n    return difflib.SequenceMatcher(None, r, 'help').ratio() > 0.5 and textwrap.wrap('a b', 1) == ['a', 'b']\n",
      "import html, unicodedata, string\ndef evaluate(r):\n    return html.unescape('&amp;') == '&' and unicodedata.category('a') == 'Ll' and string.Template('$x').substitute(x=1) == '1'\n",
      "from typing import List, Dict, Optional\nimport collections.abc\ndef evaluate(r: str) -> bool:\n    x: List[Dict[str, Optional[int]]] = []\n    return isinstance(x, collections.abc.Sequence) and not isinstance(r, collections.abc.Mapping)\n",
      "import random, enum\nclass Color(enum.Enum):\n    RED = 1\ndef evaluate(r):\n    return random.choice([1]) == 1 and Color(1) is Color.RED\n",
  };
  run("def evaluate(response):\n    return True\n", {"warm"});
  for (const char* source : sources) {
    auto result = run(source, {"hello"});
    INFO(source << describe(result));
    CHECK(result.verdicts == std::vector<Verdict>{{Status::ok, true, ""}});
    CHECK(result.forks == 0);
    CHECK(result.retired == "");
  }
}

TEST_CASE("a module attribute replaced by one job is intact in the next") {
  require_contained({"import re", "re.escape = lambda s: 'forged'", "re.escape('a.b') == 'a\\\\.b'",
                     "re.escape('a.b') == 'forged'"},
                    Outcome::retired);
}

TEST_CASE("a builtin replaced by one job is intact in the next") {
  require_contained({"import builtins", "builtins.sorted = lambda items, **options: ['forged']",
                     "sorted([2, 1]) == [1, 2]", "sorted([2, 1]) == ['forged']"},
                    Outcome::retired);
}

TEST_CASE("a class attribute replaced by one job is intact in the next") {
  require_contained({"import collections", "collections.Counter.most_common = lambda self, n=None: []",
                     "collections.Counter('aab').most_common(1) == [('a', 2)]",
                     "collections.Counter('aab').most_common(1) == []"},
                    Outcome::retired);
}

TEST_CASE("an attribute of a module-level instance changed by one job is intact in the next") {
  require_contained({"import json", "json._default_encoder.indent = 4", "json.dumps([1]) == '[1]'",
                     "json.dumps([1]) != '[1]'"},
                    Outcome::retired);
}

TEST_CASE("an instance __dict__ swapped by one job is intact in the next") {
  require_contained({"import json",
                     "json._default_encoder.__dict__ = dict(vars(json._default_encoder), indent=2)",
                     "json.dumps([1]) == '[1]'", "json.dumps([1]) != '[1]'"},
                    Outcome::retired);
}

TEST_CASE("a list in a module changed by one job is intact in the next") {
  require_contained({"import sys", "sys.path.append('/planted')", "'/planted' not in sys.path",
                     "'/planted' in sys.path"},
                    Outcome::retired);
}

TEST_CASE("a set in a module changed by one job is intact in the next") {
  require_contained({"import html", "html._invalid_codepoints.add(0x41)",
                     "html.unescape('&#65;') == 'A'", "html.unescape('&#65;') != 'A'"},
                    Outcome::retired);
}

TEST_CASE("function defaults, code and names changed by one job are intact in the next") {
  require_contained({"import textwrap", "textwrap.indent.__defaults__ = (lambda line: False,)",
                     "textwrap.indent('a', '> ') == '> a'", "textwrap.indent('a', '> ') == 'a'"},
                    Outcome::retired);
  require_contained({"import json", "json.dumps.__code__ = (lambda obj, **options: 'forged').__code__",
                     "json.dumps(1) == '1'", "json.dumps(1) == 'forged'"},
                    Outcome::retired);
  require_contained({"import json", "json.dumps.__name__ = 'forged'", "json.dumps.__name__ == 'dumps'",
                     "json.dumps.__name__ == 'forged'"},
                    Outcome::retired);
}

TEST_CASE("a closure cell changed by one job is intact in the next") {
  require_contained({"import os",
                     "for _cell in os.fsencode.__closure__:\n"
                     "    if _cell.cell_contents == 'surrogateescape':\n"
                     "        _cell.cell_contents = 'strict'",
                     "os.fsencode('\\udcff') == b'\\xff'",
                     "any(c.cell_contents == 'strict' for c in os.fsencode.__closure__)"},
                    Outcome::retired);
}

TEST_CASE("a classmethod or property re-initialised by one job is intact in the next") {
  require_contained({"import fractions",
                     "vars(fractions.Fraction)['from_float'].__init__(lambda cls, f: 'forged')",
                     "fractions.Fraction.from_float(0.5) == fractions.Fraction(1, 2)",
                     "fractions.Fraction.from_float(0.5) == 'forged'"},
                    Outcome::retired);
  require_contained({"import fractions", "vars(fractions.Fraction)['numerator'].__init__(lambda self: 99)",
                     "fractions.Fraction(1, 2).numerator == 1", "fractions.Fraction(1, 2).numerator == 99"},
                    Outcome::retired);
}

TEST_CASE("a __slots__ value and an object's class changed by one job are intact in the next") {
  require_contained({"import typing", "typing.Optional._name = 'Forged'",
                     "repr(typing.Optional) == 'typing.Optional'", "'Forged' in repr(typing.Optional)"},
                    Outcome::retired);
  require_contained({"import json",
                     "class Fake(json.JSONDecoder):\n"
                     "    def decode(self, s, _w=None):\n"
                     "        return 'forged'\n"
                     "json._default_decoder.__class__ = Fake",
                     "json.loads('1') == 1", "json.loads('1') == 'forged'"},
                    Outcome::retired);
}

TEST_CASE("decimal contexts changed by one job are intact in the next") {
  require_contained({"import decimal", "decimal.getcontext().prec = 3",
                     "str(decimal.Decimal(1) / decimal.Decimal(3)) == '0.3333333333333333333333333333'",
                     "str(decimal.Decimal(1) / decimal.Decimal(3)) == '0.333'"},
                    Outcome::retired);
  require_contained({"import decimal", "decimal.DefaultContext.prec = 3", "decimal.Context().prec == 28",
                     "decimal.Context().prec == 3"},
                    Outcome::retired);
}

TEST_CASE("interpreter and C library settings changed by one job are intact in the next") {
  require_contained({"import sys", "sys.set_int_max_str_digits(640)", "len(str(10 ** 1000)) == 1001",
                     "sys.get_int_max_str_digits() == 640"},
                    Outcome::retired);
  require_contained({"import gc", "gc.disable()", "gc.isenabled()", "not gc.isenabled()"},
                    Outcome::retired);
  require_contained({"import sys", "sys.setswitchinterval(0.5)", "sys.getswitchinterval() == 0.005",
                     "sys.getswitchinterval() == 0.5"},
                    Outcome::retired);
  require_contained({"import os, time", "os.putenv('TZ', 'UTC+5')",
                     "(time.tzset(), time.timezone)[1] == 0", "(time.tzset(), time.timezone)[1] == 18000"},
                    Outcome::retired);
  require_contained({"import warnings", "warnings.simplefilter('error')",
                     "warnings.filters[0][0] != 'error'", "warnings.filters[0][0] == 'error'"},
                    Outcome::retired);
  require_contained({"import sys", "sys.stdout.close()", "not sys.stdout.closed", "sys.stdout.closed"},
                    Outcome::retired);
}

TEST_CASE("a lock left held by one job does not hang the next") {
  require_contained({"import _strptime, datetime", "_strptime._cache_lock.acquire()",
                     "datetime.datetime.strptime('2024', '%Y').year == 2024",
                     "_strptime._cache_lock.locked()"},
                    Outcome::retired);
}

TEST_CASE("an ABC registration by one job is intact in the next") {
  require_contained({"import collections.abc", "collections.abc.Mapping.register(str)",
                     "not isinstance('x', collections.abc.Mapping)",
                     "isinstance('x', collections.abc.Mapping)"},
                    Outcome::retired);
}

TEST_CASE("a finaliser left in a reference cycle cannot patch the next job") {
  require_contained({"import re, gc",
                     kCyclicLandmine,
                     "re.escape('a.b') == 'a\\\\.b'", "(gc.collect(), re.escape('a.b'))[1] == 'forged'"},
                    Outcome::retired);
}

TEST_CASE("a finaliser that runs only after the job cannot patch the next job") {
  // The cycle is garbage from the start; it is collected when the job's objects are released,
  // and the guard compares only after that, so the patch it makes is seen.
  require_contained({"import re",
                     kCyclicLandmine,
                     "re.escape('a.b') == 'a\\\\.b'", "True"},
                    Outcome::retired);
}

TEST_CASE("poisoned caches are put back and the child kept") {
  require_contained({"import re", "re._cache[(str, 'hello', 0)] = re.compile('forged')",
                     "re.match('hello', 'hello world') is not None",
                     "re.match('hello', 'hello world') is None"},
                    Outcome::put_back);
  require_contained({"import re", "re.RegexFlag._value2member_map_[6] = 'forged'",
                     "re.RegexFlag(6) == re.I | re.L", "re.RegexFlag(6) == 'forged'"},
                    Outcome::put_back);
}

TEST_CASE("an existing enum member replaced by one job is intact in the next") {
  require_contained({"import re", "re.RegexFlag._value2member_map_[2] = 'forged'",
                     "re.RegexFlag(2) is re.IGNORECASE", "re.RegexFlag(2) == 'forged'"},
                    Outcome::retired);
}
