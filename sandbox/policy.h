// The seccomp policy that untrusted verification code runs under, as data.
//
// The policy is default-deny: a system call that no rule names ends the evaluation as
// `forbidden` (SECCOMP_RET_TRAP, so the child can say which call it was; if the trap cannot be
// delivered the kernel kills the process with SIGSYS, which is reported the same way). A few
// harmless queries on the filesystem fail with an errno instead, so that `import missing_module`
// or `open(path)` become clean Python errors. Calls from a foreign architecture (32-bit int 0x80,
// x32) kill the process outright.
//
// compile() runs once per worker (libseccomp is not async-signal-safe); install() runs in every
// forked child and only issues prctl/seccomp, so it is safe to call between fork and exec-free
// untrusted code.
#pragma once

#include <linux/filter.h>
#include <tl/expected.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::sandbox::policy {

enum class Action { allow, deny, forbid };

// One comparison on a system call argument; masked_eq tests (arg & mask) == value.
struct ArgTest {
  enum class Op { eq, ne, masked_eq };
  unsigned index = 0;
  Op op = Op::eq;
  std::uint64_t value = 0;
  std::uint64_t mask = 0;
};

struct Rule {
  std::string_view syscall;
  Action action = Action::allow;
  int error = 0;               // errno returned when action == deny
  std::vector<ArgTest> args;   // all must hold for the rule to apply
};

// The rules untrusted Python code runs under (see policy.cpp for why each one is there).
std::vector<Rule> default_rules();

struct Program {
  std::vector<sock_filter> filter;
  std::vector<std::string> skipped;  // rule names this architecture does not have
};

// Builds the BPF program. Fails with a message naming the rule libseccomp rejected.
tl::expected<Program, std::string> compile(std::span<const Rule> rules);

// Sets no-new-privs and loads the program into the calling process. Returns 0 or an errno.
// Allocates nothing: safe after fork.
int install(const Program& program) noexcept;

// The exit status a child uses after reporting a forbidden system call from its SIGSYS handler.
inline constexpr int kForbiddenExit = 159;

}  // namespace autoif::sandbox::policy
