#include "sandbox/worker/isolation.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

namespace autoif::sandbox::worker {
namespace {

constexpr uid_t kNobody = 65534;

std::string failed(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

bool write_file(const char* path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

bool in_user_namespace = false;

}  // namespace

tl::expected<StdioFds, std::string> take_protocol_fds() {
  StdioFds fds;
  fds.protocol_in = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
  if (fds.protocol_in < 0) return tl::unexpected(failed("fcntl(F_DUPFD_CLOEXEC, stdin)"));
  fds.protocol_out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (fds.protocol_out < 0) return tl::unexpected(failed("fcntl(F_DUPFD_CLOEXEC, stdout)"));
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return tl::unexpected(failed("open(/dev/null)"));
  if (::dup2(devnull, 0) < 0 || ::dup2(devnull, 1) < 0) return tl::unexpected(failed("dup2"));
  ::close(devnull);
  // Close every inherited descriptor but stdio and the two protocol pipes.
  unsigned keep[2] = {static_cast<unsigned>(std::min(fds.protocol_in, fds.protocol_out)),
                      static_cast<unsigned>(std::max(fds.protocol_in, fds.protocol_out))};
  unsigned from = 3;
  for (unsigned fd : keep) {
    if (fd > from && ::syscall(SYS_close_range, from, fd - 1, 0) != 0)
      return tl::unexpected(failed("close_range"));
    from = fd + 1;
  }
  if (::syscall(SYS_close_range, from, ~0U, 0) != 0) return tl::unexpected(failed("close_range"));
  return fds;
}

std::vector<std::string> enter_namespaces() {
  std::vector<std::string> entered;
  if (::geteuid() != 0) {
    uid_t uid = ::geteuid();
    gid_t gid = ::getegid();
    if (::unshare(CLONE_NEWUSER) == 0 && write_file("/proc/self/setgroups", "deny") &&
        write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") &&
        write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      in_user_namespace = true;
      entered.push_back("userns");
    }
  }
  const std::pair<int, const char*> kinds[] = {{CLONE_NEWNS, "mountns"},
                                               {CLONE_NEWNET, "netns"},
                                               {CLONE_NEWIPC, "ipcns"},
                                               {CLONE_NEWUTS, "utsns"},
                                               {CLONE_NEWPID, "pidns"}};
  for (const auto& [flag, label] : kinds)
    if (::unshare(flag) == 0) entered.push_back(label);
  return entered;
}

bool become_namespace_init() {
  pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    die_with_parent();
    return true;
  }
  // The original process holds nothing open; it only mirrors the worker's fate.
  ::syscall(SYS_close_range, 0u, ~0U, 0);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
  ::_exit(128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

tl::expected<std::string, std::string> enter_empty_root() {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return tl::unexpected(failed("mount(/, MS_PRIVATE)"));
  for (const char* dir : {"/tmp", "/mnt", "/var/tmp", "/dev/shm"}) {
    if (::mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                "size=4k,mode=0555") != 0)
      continue;
    if (::chroot(dir) != 0) return tl::unexpected(failed("chroot"));
    if (::chdir("/") != 0) return tl::unexpected(failed("chdir(/)"));
    return std::string("chroot");
  }
  return tl::unexpected(failed("mount(tmpfs)"));
}

tl::expected<std::string, std::string> drop_privileges() {
  if (in_user_namespace || ::geteuid() != 0) {
    // Root only inside our own user namespace: drop every capability it gave us.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capset, &header, data) != 0) return tl::unexpected(failed("capset"));
    return std::string("no-capabilities");
  }
  if (::setgroups(0, nullptr) != 0) return tl::unexpected(failed("setgroups"));
  if (::setresgid(kNobody, kNobody, kNobody) != 0) return tl::unexpected(failed("setresgid"));
  if (::setresuid(kNobody, kNobody, kNobody) != 0) return tl::unexpected(failed("setresuid"));
  if (::getuid() != kNobody || ::geteuid() != kNobody)
    return tl::unexpected(std::string("setresuid did not take effect"));
  return "uid=" + std::to_string(kNobody);
}

void die_with_parent() { ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); }

}  // namespace autoif::sandbox::worker
