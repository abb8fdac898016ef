#include "tests/sandbox/containment.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace autoif::attack {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGroupPrefix = "autoif-attacks-";
// Set for the contained run: the descriptor on which it reports that it started.
constexpr const char* kReadyFd = "AUTOIF_ATTACK_READY_FD";

// Why the current process runs without containment (empty when it does not need saying).
std::string g_uncontained_reason;

bool is_listing(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--list") || arg == "-l" || arg == "-t" || arg == "-h" || arg == "-?" ||
        arg == "--help")
      return true;
  }
  return false;
}

bool write_text(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::vector<std::string> lines_of(const char* path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  return parts;
}

// The cgroups made for one contained run. The directories are children of the cgroups this
// process already belongs to where the controllers are available there (so the limits above
// still hold), else of the hierarchy's root. Removed, with anything still in them killed,
// when the owner goes away.
class Cgroups {
 public:
  explicit Cgroups(const ContainmentLimits& limits) {
    struct Mount {
      fs::path point;
      std::vector<std::string> options;
      bool v2 = false;
    };
    std::vector<Mount> mounts;
    for (const auto& line : lines_of("/proc/self/mounts")) {
      auto fields = split(line, ' ');
      if (fields.size() < 4) continue;
      if (fields[2] == "cgroup2") mounts.push_back({fields[1], {}, true});
      if (fields[2] == "cgroup") mounts.push_back({fields[1], split(fields[3], ','), false});
    }
    // /proc/self/cgroup: "hierarchy-id:controllers:path"; v2 is "0::path".
    std::string v2_path;
    std::vector<std::pair<std::vector<std::string>, std::string>> v1_paths;
    for (const auto& line : lines_of("/proc/self/cgroup")) {
      auto first = line.find(':'), second = line.find(':', first + 1);
      if (first == std::string::npos || second == std::string::npos) continue;
      std::string controllers = line.substr(first + 1, second - first - 1);
      std::string path = line.substr(second + 1);
      if (line.starts_with("0::")) v2_path = path;
      else v1_paths.emplace_back(split(controllers, ','), path);
    }

    bool have_pids = false, have_memory = false;
    for (const auto& mount : mounts) {
      if (!mount.v2 || v2_path.empty() || (have_pids && have_memory)) continue;
      for (const fs::path& parent : {mount.point / v2_path.substr(1), mount.point}) {
        auto dir = make(parent);
        if (!dir) continue;
        bool pids = !have_pids && limit(*dir, "pids.max", std::to_string(limits.pids_max));
        bool memory =
            !have_memory && limit(*dir, "memory.max", std::to_string(limits.memory_max_bytes));
        if (!pids && !memory) {
          ::rmdir(dir->c_str());
          continue;
        }
        have_pids |= pids;
        have_memory |= memory;
        adopt(*dir, "cgroup v2" + std::string(pids ? " pids.max=" + std::to_string(limits.pids_max) : "") +
                        (memory ? " memory.max=" + std::to_string(limits.memory_max_bytes) : ""));
        break;
      }
    }
    // Controllers that cgroup v2 does not offer here, from their v1 hierarchies.
    const std::tuple<const char*, const char*, std::string, bool*> v1[] = {
        {"pids", "pids.max", std::to_string(limits.pids_max), &have_pids},
        {"memory", "memory.limit_in_bytes", std::to_string(limits.memory_max_bytes), &have_memory},
    };
    for (const auto& [controller, file, value, have] : v1) {
      if (*have) continue;
      for (const auto& mount : mounts) {
        if (mount.v2 || std::find(mount.options.begin(), mount.options.end(), controller) ==
                            mount.options.end())
          continue;
        std::string own = "/";
        for (const auto& [names, path] : v1_paths)
          if (std::find(names.begin(), names.end(), controller) != names.end()) own = path;
        for (const fs::path& parent : {mount.point / own.substr(1), mount.point}) {
          auto dir = make(parent);
          if (!dir) continue;
          if (!limit(*dir, file, value)) {
            ::rmdir(dir->c_str());
            continue;
          }
          *have = true;
          adopt(*dir, std::string("cgroup v1 ") + file + "=" + value);
          break;
        }
        break;
      }
    }
  }

  ~Cgroups() {
    for (const auto& dir : dirs_) {
      // The PID namespace is gone once its init died; anything left is ours and stray.
      for (int attempt = 0; attempt < 100; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) break;
        for (const auto& line : lines_of((dir / "cgroup.procs").c_str()))
          if (pid_t pid = std::atoi(line.c_str()); pid > 0) ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

  Cgroups(const Cgroups&) = delete;
  Cgroups& operator=(const Cgroups&) = delete;

  // Moves the calling process into every cgroup made (called in the child before exec) and
  // describes the ones it got into: a cgroup the kernel refused to take it in limits nothing.
  std::string join() const {
    std::string joined;
    for (std::size_t i = 0; i < dirs_.size(); ++i)
      if (write_text(dirs_[i] / "cgroup.procs", "0")) joined += "; " + applied_[i];
    return joined;
  }

 private:
  // A fresh directory under `parent`, after removing stale empty ones from runs that were
  // killed before they could clean up (rmdir refuses a cgroup that still has processes).
  std::optional<fs::path> make(const fs::path& parent) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(parent, error)) {
      std::string name = entry.path().filename().string();
      if (!name.starts_with(kGroupPrefix)) continue;
      pid_t owner = std::atoi(name.c_str() + kGroupPrefix.size());
      if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH) ::rmdir(entry.path().c_str());
    }
    fs::path dir = parent / (std::string(kGroupPrefix) + std::to_string(::getpid()));
    if (::mkdir(dir.c_str(), 0755) != 0) return std::nullopt;
    return dir;
  }

  static bool limit(const fs::path& dir, const char* file, const std::string& value) {
    return fs::exists(dir / file) && write_text(dir / file, value);
  }

  void adopt(const fs::path& dir, std::string what) {
    dirs_.push_back(dir);
    applied_.push_back(std::move(what) + " (" + dir.string() + ")");
  }

  std::vector<fs::path> dirs_;
  std::vector<std::string> applied_;
};

// Runs `command` (unshare and its arguments) inside `cgroups` with the marker set. Returns its
// exit status, or nullopt if the contained run never started: unshare writes its complaint and
// exits, and the contained process never reports in on the readiness pipe.
std::optional<int> run_contained(std::vector<std::string> command, const Cgroups& cgroups,
                                 const std::string& namespaces) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return std::nullopt;
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(ready[0]);
    ::close(ready[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    // If this parent is killed (a ctest timeout), unshare follows it, and with --kill-child
    // so does everything in the namespace.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    std::string description = namespaces + cgroups.join();
    ::fcntl(ready[1], F_SETFD, 0);
    ::setenv(kContainedMarker, description.c_str(), 1);
    ::setenv(kReadyFd, std::to_string(ready[1]).c_str(), 1);
    std::vector<char*> args;
    for (auto& arg : command) args.push_back(arg.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(ready[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  char byte = 0;
  bool started = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  if (!started) return std::nullopt;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

std::optional<int> contain(int argc, char** argv, ContainmentLimits limits) {
  if (const char* ready = std::getenv(kReadyFd)) {
    // The contained run reports in, so that its parent can tell it from an unshare that failed.
    int fd = std::atoi(ready);
    (void)!::write(fd, "1", 1);
    ::close(fd);
    ::unsetenv(kReadyFd);
  }
  if (std::getenv(kContainedMarker) || is_listing(argc, argv)) return std::nullopt;

  std::error_code error;
  std::string self = fs::read_symlink("/proc/self/exe", error).string();
  if (error) self = argv[0];
  std::vector<std::string> tail = {"--", self};
  for (int i = 1; i < argc; ++i) tail.push_back(argv[i]);

  Cgroups cgroups(limits);
  const std::string pid_namespace = "PID namespace (unshare --pid --fork --kill-child --mount-proc)";
  std::vector<std::string> command = {"unshare", "--pid", "--fork", "--kill-child", "--mount-proc"};
  command.insert(command.end(), tail.begin(), tail.end());
  if (auto status = run_contained(command, cgroups, pid_namespace)) return status;
  if (::geteuid() != 0) {
    // Without root, a user namespace may still grant the PID namespace.
    command.insert(command.begin() + 1, {"--user", "--map-root-user"});
    if (auto status = run_contained(command, cgroups, "user and " + pid_namespace)) return status;
  }
  g_uncontained_reason = "none: `unshare --pid --fork` could not be run here";
  return std::nullopt;
}

std::string describe() {
  if (const char* marker = std::getenv(kContainedMarker)) return marker;
  return g_uncontained_reason;
}

}  // namespace autoif::attack
