#include "sandbox/policy.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "sandbox/unique_fd.h"

namespace autoif::sandbox::policy {
namespace {

using Op = ArgTest::Op;

constexpr std::uint64_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;

Rule allow(std::string_view name, std::vector<ArgTest> args = {}) {
  return {name, Action::allow, 0, std::move(args)};
}
Rule deny(std::string_view name, int error, std::vector<ArgTest> args = {}) {
  return {name, Action::deny, error, std::move(args)};
}

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

scmp_compare to_scmp(Op op) {
  switch (op) {
    case Op::eq: return SCMP_CMP_EQ;
    case Op::ne: return SCMP_CMP_NE;
    case Op::masked_eq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

}  // namespace

std::vector<Rule> default_rules() {
  std::vector<Rule> rules;
  // What a running CPython needs to compute on text: memory, time, randomness, exiting, and
  // writing to the descriptors it already has (stdout and stderr are /dev/null in a child).
  for (std::string_view name :
       {"read", "write", "readv", "writev", "lseek", "close", "munmap", "mremap", "brk", "madvise",
        "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "futex", "getpid", "gettid", "getppid",
        "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "getpgrp",
        "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
        "getrandom", "exit", "exit_group", "fstat", "sched_yield", "sched_getaffinity", "getrusage",
        "times", "uname", "getcwd", "restart_syscall", "getrlimit"})
    rules.push_back(allow(name));
  // No executable memory: untrusted code gets no place to put machine code of its own.
  rules.push_back(allow("mmap", {{2, Op::masked_eq, 0, PROT_EXEC}}));
  rules.push_back(allow("mprotect", {{2, Op::masked_eq, 0, PROT_EXEC}}));
  // Handlers may be set for anything but SIGSYS, which reports forbidden calls.
  rules.push_back(allow("rt_sigaction", {{0, Op::ne, SIGSYS, 0}}));
  // Reading limits is fine; raising (or setting) them is not.
  rules.push_back(allow("prlimit64", {{2, Op::eq, 0, 0}}));
  rules.push_back(allow("fcntl", {{1, Op::eq, F_GETFD, 0}}));
  rules.push_back(allow("fcntl", {{1, Op::eq, F_GETFL, 0}}));
  // glibc implements fstat() as newfstatat(fd, "", AT_EMPTY_PATH); a path lookup is denied.
  rules.push_back(allow("newfstatat", {{3, Op::masked_eq, AT_EMPTY_PATH, AT_EMPTY_PATH}}));
  rules.push_back(deny("newfstatat", EACCES, {{3, Op::masked_eq, 0, AT_EMPTY_PATH}}));
  // Read-only lookups fail cleanly (ModuleNotFoundError, PermissionError); any attempt to open a
  // file for writing or creation is forbidden outright.
  rules.push_back(deny("open", EACCES, {{1, Op::masked_eq, 0, kWriteFlags}}));
  rules.push_back(deny("openat", EACCES, {{2, Op::masked_eq, 0, kWriteFlags}}));
  for (std::string_view name : {"stat", "lstat", "access", "faccessat", "faccessat2", "readlink",
                                "readlinkat", "getdents", "getdents64", "statx", "chdir", "fchdir"})
    rules.push_back(deny(name, EACCES));
  rules.push_back(deny("ioctl", ENOTTY));
  return rules;
}

tl::expected<Program, std::string> compile(std::span<const Rule> rules) {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_TRAP));
  if (!ctx) return tl::unexpected(std::string("seccomp_init failed"));
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc < 0)
    return tl::unexpected("seccomp_attr_set(ACT_BADARCH): " + std::string(std::strerror(-rc)));
  // install() sets no-new-privs itself; libseccomp must not touch process state.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);

  Program program;
  for (const auto& rule : rules) {
    std::string name(rule.syscall);
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      program.skipped.push_back(name);
      continue;
    }
    std::uint32_t action = SCMP_ACT_ALLOW;
    if (rule.action == Action::deny) action = SCMP_ACT_ERRNO(static_cast<std::uint16_t>(rule.error));
    if (rule.action == Action::forbid) action = SCMP_ACT_TRAP;
    std::vector<scmp_arg_cmp> args;
    for (const auto& test : rule.args) {
      scmp_arg_cmp cmp{};
      cmp.arg = test.index;
      cmp.op = to_scmp(test.op);
      cmp.datum_a = test.op == Op::masked_eq ? test.mask : test.value;
      cmp.datum_b = test.op == Op::masked_eq ? test.value : 0;
      args.push_back(cmp);
    }
    int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()),
                                    args.empty() ? nullptr : args.data());
    if (rc < 0)
      return tl::unexpected("seccomp rule for '" + name + "': " + std::strerror(-rc));
  }

  UniqueFd memfd(static_cast<int>(::syscall(SYS_memfd_create, "seccomp-bpf", MFD_CLOEXEC)));
  if (!memfd) return tl::unexpected("memfd_create: " + std::string(std::strerror(errno)));
  if (int rc = seccomp_export_bpf(ctx.get(), memfd.get()); rc < 0)
    return tl::unexpected("seccomp_export_bpf: " + std::string(std::strerror(-rc)));
  off_t size = ::lseek(memfd.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return tl::unexpected(std::string("seccomp_export_bpf produced no program"));
  program.filter.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(memfd.get(), program.filter.data(), static_cast<std::size_t>(size), 0) != size)
    return tl::unexpected("reading the BPF program: " + std::string(std::strerror(errno)));
  return program;
}

int install(const Program& program) noexcept {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.filter.size());
  fprog.filter = const_cast<sock_filter*>(program.filter.data());
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) return errno;
  return 0;
}

}  // namespace autoif::sandbox::policy
