// The seccomp policy on its own: each rule is checked with raw system calls in a forked child
// that has loaded the compiled program, including the calls Python cannot make without ctypes
// (foreign-architecture entry points, io_uring, bpf, keyctl, perf, userfaultfd).
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <functional>

#include "sandbox/policy.h"

using namespace autoif::sandbox;

namespace {

const policy::Program& program() {
  static const policy::Program compiled = [] {
    auto rules = policy::default_rules();
    auto built = policy::compile(rules);
    if (!built) FAIL("compile failed: " << built.error());
    return *built;
  }();
  return compiled;
}

// Runs `body` in a child under the filter; returns the raw wait status. The child exits with
// body()'s value, so a call the filter allows or denies shows up as an exit code, and a call it
// forbids shows up as death by SIGSYS (no handler is installed here).
int under_filter(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (policy::install(program()) != 0) ::_exit(200);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool forbidden(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }
int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Exit code 0 when the call succeeded, else its errno.
int outcome(long rc) { return rc >= 0 ? 0 : errno; }

}  // namespace

TEST_CASE("the default policy compiles into a BPF program on this machine") {
  REQUIRE_FALSE(program().filter.empty());
  // Everything the rules name exists on x86_64 and aarch64 but the legacy path calls.
  for (const auto& name : program().skipped)
    CHECK((name == "open" || name == "stat" || name == "lstat" || name == "access" ||
           name == "readlink" || name == "getdents" || name == "time"));
}

TEST_CASE("the policy lets computation through") {
  CHECK(exit_code(under_filter([] { return outcome(::syscall(SYS_getpid)); })) == 0);
  CHECK(exit_code(under_filter([] {
          void* p = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          return p == MAP_FAILED ? 1 : outcome(::munmap(p, 1 << 20));
        })) == 0);
  CHECK(exit_code(under_filter([] {
          char buf[8];
          return outcome(::syscall(SYS_getrandom, buf, sizeof buf, 0));
        })) == 0);
  CHECK(exit_code(under_filter([] { return outcome(::write(1, "", 0)); })) == 0);
}

TEST_CASE("the policy forbids executable memory") {
  CHECK(forbidden(under_filter([] {
    return ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
           MAP_FAILED;
  })));
  CHECK(forbidden(under_filter([] {
    void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return outcome(::mprotect(p, 4096, PROT_READ | PROT_EXEC));
  })));
}

TEST_CASE("the policy denies reading files with an error and forbids writing them") {
  CHECK(exit_code(under_filter([] { return outcome(::open("/etc/hostname", O_RDONLY)); })) == EACCES);
  CHECK(exit_code(under_filter([] {
          return outcome(::syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC));
        })) == EACCES);
  for (int flags : {O_WRONLY, O_RDWR, O_RDONLY | O_CREAT, O_RDONLY | O_TRUNC, O_WRONLY | O_APPEND})
    CHECK(forbidden(under_filter([flags] { return outcome(::open("/tmp/autoif-policy-test", flags, 0600)); })));
  CHECK(::access("/tmp/autoif-policy-test", F_OK) != 0);
}

TEST_CASE("the policy allows fstat on a descriptor but not stat of a path") {
  CHECK(exit_code(under_filter([] {
          struct stat st;
          return outcome(::fstat(0, &st));
        })) == 0);
  CHECK(exit_code(under_filter([] {
          struct stat st;
          return outcome(::stat("/etc/passwd", &st));
        })) == EACCES);
}

TEST_CASE("the policy forbids networking of every family") {
  for (int family : {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET})
    CHECK(forbidden(under_filter([family] { return outcome(::socket(family, SOCK_STREAM, 0)); })));
}

TEST_CASE("the policy forbids creating processes and threads") {
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_fork)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_vfork)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_clone3, nullptr, 0)); })));
  CHECK(forbidden(under_filter([] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    return outcome(::execve("/bin/true", argv, nullptr));
  })));
}

TEST_CASE("the policy forbids signalling, tracing and credential changes") {
  CHECK(forbidden(under_filter([] { return outcome(::kill(1, SIGKILL)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_tgkill, 1, 1, SIGKILL)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_ptrace, 0, 0, 0, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_setuid, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_setresgid, 0, 0, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_chroot, "/")); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_mount, "x", "/", "tmpfs", 0, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_unshare, CLONE_NEWUSER)); })));
}

TEST_CASE("the policy lets limits be read but not raised") {
  CHECK(exit_code(under_filter([] {
          rlimit limit{};
          return outcome(::syscall(SYS_prlimit64, 0, RLIMIT_AS, nullptr, &limit));
        })) == 0);
  CHECK(forbidden(under_filter([] {
    rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    return outcome(::syscall(SYS_prlimit64, 0, RLIMIT_AS, &limit, nullptr));
  })));
  CHECK(forbidden(under_filter([] {
    rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    return outcome(::syscall(SYS_setrlimit, RLIMIT_CPU, &limit));
  })));
}

TEST_CASE("the policy keeps the SIGSYS handler out of untrusted hands") {
  CHECK(exit_code(under_filter([] {
          struct sigaction action{};
          action.sa_handler = SIG_IGN;
          return outcome(::sigaction(SIGUSR1, &action, nullptr));
        })) == 0);
  CHECK(forbidden(under_filter([] {
    struct sigaction action{};
    action.sa_handler = SIG_IGN;
    return outcome(::sigaction(SIGSYS, &action, nullptr));
  })));
}

TEST_CASE("the policy forbids descriptor tricks beyond reading flags") {
  CHECK(exit_code(under_filter([] { return outcome(::fcntl(0, F_GETFL)); })) == 0);
  CHECK(forbidden(under_filter([] { return outcome(::fcntl(0, F_DUPFD, 10)); })));
  CHECK(forbidden(under_filter([] { return outcome(::fcntl(0, F_SETFL, O_NONBLOCK)); })));
  CHECK(forbidden(under_filter([] { return outcome(::dup(0)); })));
  CHECK(exit_code(under_filter([] { return outcome(::ioctl(0, 0x5401 /* TCGETS */, nullptr)); })) == ENOTTY);
}

TEST_CASE("the policy forbids io_uring, bpf, keyctl, perf and userfaultfd") {
  CHECK(forbidden(under_filter([] {
    io_uring_params params{};
    return outcome(::syscall(SYS_io_uring_setup, 8, &params));
  })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_bpf, 0, nullptr, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_keyctl, 0, 0, 0, 0, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0)); })));
  CHECK(forbidden(under_filter([] { return outcome(::syscall(SYS_userfaultfd, 0)); })));
}

#if defined(__x86_64__)
TEST_CASE("the policy kills 32-bit and x32 system call entry points") {
  // x32 ABI: the same call numbers with bit 30 set.
  CHECK(forbidden(under_filter([] { return outcome(::syscall(0x40000000 | SYS_getpid)); })));
  // The i386 entry point: getpid is 20 there.
  CHECK(forbidden(under_filter([] {
    long rc = 20;
    asm volatile("int $0x80" : "+a"(rc) : : "memory");
    return rc >= 0 ? 0 : 1;
  })));
}
#endif
