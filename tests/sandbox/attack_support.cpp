#include "tests/sandbox/attack_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

namespace autoif::attack {
namespace {

namespace fs = std::filesystem;

std::string random_hex(std::size_t length) {
  static std::random_device device;
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(digits[device() % 16]);
  return out;
}

void write_file(const fs::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* kPrologue = R"PY(import sys, os

def load(name):
    # The import statement first; then the builtin importer, which the sandbox's import seal
    # does not cover, so that the attack reaches its system call whenever it can.
    try:
        return __import__(name)
    except ImportError:
        return sys.__loader__.load_module(name)

)PY";

// The benign inputs do a little real work, as real verification functions do.
constexpr const char* kEpilogue = R"PY(

def evaluate(response):
    if response == "attack":
        return attack()
    words = [word for word in response.split() if word]
    return len(words) == 2 and words[-1] == "true"
)PY";

}  // namespace

const HostSecrets& host_secrets() {
  static const HostSecrets secrets = [] {
    HostSecrets planted;
    planted.api_key = "sk-test-" + random_hex(32);
    ::setenv("OPENAI_API_KEY", planted.api_key.c_str(), 1);
    planted.fd_secret = "fd-secret-" + random_hex(32);
    // Descriptors opened without O_CLOEXEC, as a careless library in the caller would.
    char path[] = "/tmp/autoif-attack-fd-XXXXXX";
    planted.file_fd = ::mkstemp(path);
    if (planted.file_fd < 0) throw std::runtime_error("mkstemp failed");
    ::unlink(path);  // only the descriptor knows the file now
    if (::write(planted.file_fd, planted.fd_secret.data(), planted.fd_secret.size()) !=
        static_cast<ssize_t>(planted.fd_secret.size()))
      throw std::runtime_error("writing the descriptor secret failed");
    ::lseek(planted.file_fd, 0, SEEK_SET);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
      throw std::runtime_error("socketpair failed");
    planted.socket_fd = pair[0];
    planted.peer_fd = pair[1];
    return planted;
  }();
  return secrets;
}

sandbox::Pool& pool() {
  static std::unique_ptr<sandbox::Pool> instance = [] {
    host_secrets();  // before the worker exists, so that it could inherit them
    // Orphans of a fork that got through would come back here and show in descendants().
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    sandbox::PoolOptions options;
    options.workers = 1;  // consecutive jobs run on the same worker process
    options.worker_path = AUTOIF_WORKER_PATH;
    auto started = sandbox::Pool::start(options);
    if (!started) throw std::runtime_error("the sandbox pool did not start: " + started.error());
    std::string protections;
    for (const auto& item : (*started)->info().protections) protections += " " + item;
    std::fprintf(stderr, "sandbox protections:%s\n", protections.c_str());
    return std::move(*started);
  }();
  return *instance;
}

namespace {
JobAftermath g_aftermath;

bool pool_has_pid_namespace() {
  const auto& protections = pool().info().protections;
  return std::find(protections.begin(), protections.end(), "pidns") != protections.end();
}
}

const JobAftermath& last_aftermath() { return g_aftermath; }

JobResult run_on(sandbox::Pool& pool, std::string source, std::vector<std::string> inputs,
                 Limits limits) {
  auto processes_before = descendants();
  auto restarts_before = pool.stats().worker_restarts;
  auto future = pool.submit(sandbox::Job{std::move(source), std::move(inputs), limits});
  auto result = await_guarded(future);
  g_aftermath = {};
  for (pid_t pid : descendants())
    if (!processes_before.contains(pid)) g_aftermath.new_processes.insert(pid);
  g_aftermath.worker_restarts = pool.stats().worker_restarts - restarts_before;
  return result;
}

JobResult await_guarded(std::future<JobResult>& future) {
  if (future.wait_for(kHangGuard) != std::future_status::ready) {
    std::fprintf(stderr, "attack suite: the sandbox did not answer a job within %lld s\n",
                 static_cast<long long>(kHangGuard.count()));
    std::fflush(nullptr);
    std::_Exit(99);
  }
  return future.get();
}

JobResult run(std::string source, std::vector<std::string> inputs, Limits limits) {
  return run_on(pool(), std::move(source), std::move(inputs), limits);
}

std::string attack_source(std::string_view attack_code) {
  return kPrologue + std::string(attack_code) + kEpilogue;
}

std::string fill(std::string text,
                 std::initializer_list<std::pair<std::string, std::string>> values) {
  for (const auto& [name, value] : values) {
    std::string marker = "@" + name + "@";
    for (auto pos = text.find(marker); pos != std::string::npos;
         pos = text.find(marker, pos + value.size()))
      text.replace(pos, marker.size(), value);
  }
  return text;
}

std::string py_str(std::string_view text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  return out + "'";
}

std::string describe(const Verdict& verdict) {
  std::string result = verdict.result ? (*verdict.result ? "true" : "false") : "null";
  return std::string(sandbox::to_string(verdict.status)) + "/" + result + " (" + verdict.message +
         ")";
}

std::string describe(const JobResult& result) {
  std::string text = result.compiled ? "compiled" : "not compiled: " + result.compile_message;
  for (std::size_t i = 0; i < result.verdicts.size(); ++i)
    text += "\n  [" + std::to_string(i) + "] " + describe(result.verdicts[i]);
  return text;
}

bool is_one_of(Status status, std::initializer_list<Status> allowed) {
  for (auto candidate : allowed)
    if (status == candidate) return true;
  return false;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                     : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += length;
  }
  return true;
}

void require_neighbours_intact(const JobResult& result) {
  INFO(describe(result));
  REQUIRE(result.verdicts.size() == 3);
  CHECK(result.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK(result.verdicts[2] == Verdict{Status::ok, false, ""});
}

void require_not_leaked(const JobResult& result, const std::string& secret) {
  INFO(describe(result));
  CHECK(result.compile_message.find(secret) == std::string::npos);
  for (const auto& verdict : result.verdicts)
    CHECK(verdict.message.find(secret) == std::string::npos);
}

void require_inherited_descriptors_untouched() {
  const auto& secrets = host_secrets();
  std::string content(secrets.fd_secret.size() + 64, '\0');
  ssize_t size = ::pread(secrets.file_fd, content.data(), content.size(), 0);
  REQUIRE(size >= 0);
  content.resize(static_cast<std::size_t>(size));
  CHECK(content == secrets.fd_secret);
  char byte;
  CHECK(::recv(secrets.peer_fd, &byte, 1, MSG_DONTWAIT) < 0);
  CHECK(::recv(secrets.socket_fd, &byte, 1, MSG_DONTWAIT) < 0);
}

void require_attack_stopped(const JobResult& result, std::initializer_list<Status> allowed) {
  // AUTOIF_ATTACK_VERBOSE=1 shows how each attack was stopped, not only the failures.
  if (std::getenv("AUTOIF_ATTACK_VERBOSE")) WARN(describe(result));
  INFO(describe(result));
  REQUIRE(result.verdicts.size() == 3);
  CHECK(is_one_of(result.verdicts[1].status, allowed));
  CHECK_FALSE(result.verdicts[1].passed());
  require_neighbours_intact(result);
  require_not_leaked(result, host_secrets().api_key);
  require_not_leaked(result, host_secrets().fd_secret);
  require_host_untouched();
}

void require_host_untouched() {
  require_inherited_descriptors_untouched();
  CHECK(last_aftermath().new_processes.empty());
  CHECK(last_aftermath().worker_restarts == 0);
}

// --- BaitDir ---------------------------------------------------------------------------------

BaitDir::BaitDir() {
  char templ[] = "/tmp/autoif-attack-XXXXXX";
  if (!::mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
  ::chmod(path_.c_str(), 0777);
  write_file(canary(), "canary " + random_hex(16) + "\n", 0666);
  // An old, exact timestamp, so that any utime or write shows.
  timespec times[2] = {{978307200, 0}, {978307200, 0}};
  ::utimensat(AT_FDCWD, canary().c_str(), times, 0);
  ::mkdir(empty_dir().c_str(), 0777);
  ::chmod(empty_dir().c_str(), 0777);
  db_secret_ = "db-secret-" + random_hex(32);
  write_file(database(), "SQLite format 3\n" + db_secret_ + "\n", 0644);
}

BaitDir::~BaitDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

BaitDir::Snapshot BaitDir::snapshot() const {
  Snapshot snapshot;
  auto add = [&](const fs::path& path, const std::string& name) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) return;
    Entry entry;
    entry.mode = info.st_mode;
    entry.uid = info.st_uid;
    entry.gid = info.st_gid;
    entry.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                     info.st_mtim.tv_nsec;
    if (S_ISREG(info.st_mode)) {
      entry.kind = "file";
      entry.content = read_file(path);
    } else if (S_ISDIR(info.st_mode)) {
      entry.kind = "dir";
    } else if (S_ISLNK(info.st_mode)) {
      entry.kind = "link";
      std::error_code ignored;
      entry.content = fs::read_symlink(path, ignored).string();
    } else {
      entry.kind = "other";
    }
    snapshot[name] = entry;
  };
  add(path_, ".");
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(path_, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error))
    add(it->path(), fs::relative(it->path(), path_).string());
  return snapshot;
}

// --- Listener --------------------------------------------------------------------------------

Listener::Listener(Kind kind) : kind_(kind) {
  int type = kind == Kind::udp ? SOCK_DGRAM : SOCK_STREAM;
  int family = kind == Kind::tcp || kind == Kind::udp ? AF_INET : AF_UNIX;
  fd_.reset(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) throw std::runtime_error("socket failed");
  int rc = -1;
  if (family == AF_INET) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  } else {
    // Random, not the pid: every contained run is pid 1 of its own namespace, and concurrent
    // runs share /tmp and the abstract socket namespace.
    unix_name_ = (kind == Kind::unix_path ? "/tmp/autoif-attack-sock-" : "autoif-attack-") +
                 random_hex(16);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::size_t offset = kind == Kind::unix_abstract ? 1 : 0;  // abstract: leading NUL
    std::memcpy(address.sun_path + offset, unix_name_.data(), unix_name_.size());
    rc = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address),
                static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + unix_name_.size()));
    if (kind == Kind::unix_path) ::chmod(unix_name_.c_str(), 0777);
  }
  if (rc != 0) throw std::runtime_error("bind failed: " + std::string(std::strerror(errno)));
  if (type == SOCK_STREAM && ::listen(fd_.get(), 16) != 0) throw std::runtime_error("listen failed");
}

Listener::~Listener() {
  if (kind_ == Kind::unix_path) ::unlink(unix_name_.c_str());
}

bool Listener::reached() {
  if (kind_ == Kind::udp) {
    char byte;
    return ::recv(fd_.get(), &byte, 1, MSG_DONTWAIT) >= 0;
  }
  int client = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (client < 0) return false;
  ::close(client);
  return true;
}

// --- Sleeper ---------------------------------------------------------------------------------

Sleeper::Sleeper() {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Only async-signal-safe calls: the parent has threads.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    for (;;) ::pause();
  }
}

Sleeper::~Sleeper() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

bool Sleeper::alive() {
  if (!reaped_ && ::waitpid(pid_, nullptr, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

// --- descendants -----------------------------------------------------------------------------

std::set<pid_t> descendants() {
  const bool pid_namespace = pool_has_pid_namespace();  // starts pool() first: it is part of the picture
  struct Process {
    pid_t parent = 0;
    std::string name;
  };
  std::map<pid_t, Process> processes;
  std::multimap<pid_t, pid_t> children;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = read_file(entry.path() / "stat");
    auto open = stat.find('(');
    auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t parent = 0;
    rest >> state >> parent;
    if (state == 'Z') continue;
    pid_t pid = std::stoi(name);
    processes[pid] = {parent, stat.substr(open + 1, close - open - 1)};
    children.emplace(parent, pid);
  }
  std::set<pid_t> found;
  std::vector<pid_t> todo{::getpid()};
  while (!todo.empty()) {
    pid_t pid = todo.back();
    todo.pop_back();
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it)
      if (found.insert(it->second).second) todo.push_back(it->second);
  }
  // A worker keeps the child that ran its last clean job, waiting for the next one: that is the
  // sandbox working as designed, not a process a job left behind. It is the only child of the
  // innermost worker process and has none of its own; anything else (a second child, a
  // grandchild, an orphan handed to the worker) still counts.
  const std::string worker_name = "autoif-sandbox-";  // the kernel keeps 15 characters
  auto is_worker = [&](pid_t pid) {
    auto it = processes.find(pid);
    return it != processes.end() && it->second.name == worker_name;
  };
  auto worker_chain_below_us = [&](pid_t pid) {  // worker processes from `pid` up to this one
    int length = 0;
    for (; is_worker(pid); pid = processes[pid].parent) ++length;
    // The worker, then (in its own PID namespace) the worker that is that namespace's init.
    return pid == ::getpid() && length == (pid_namespace ? 3 : 2);
  };
  for (auto it = found.begin(); it != found.end();) {
    pid_t pid = *it;
    pid_t parent = processes[pid].parent;
    bool standing = is_worker(parent) && children.count(pid) == 0 &&
                    children.count(parent) == 1 && worker_chain_below_us(pid);
    it = standing ? found.erase(it) : std::next(it);
  }
  return found;
}

// --- StderrToFile ----------------------------------------------------------------------------

StderrToFile::StderrToFile() {
  char templ[] = "/tmp/autoif-attack-stderr-XXXXXX";
  sandbox::UniqueFd file(::mkstemp(templ));
  if (!file) throw std::runtime_error("mkstemp failed");
  path_ = templ;
  std::fflush(stderr);
  saved_.reset(::fcntl(2, F_DUPFD_CLOEXEC, 3));
  ::dup2(file.get(), 2);
}

StderrToFile::~StderrToFile() {
  restore();
  std::error_code ignored;
  fs::remove(path_, ignored);
}

void StderrToFile::restore() {
  if (!saved_) return;
  std::fflush(stderr);
  ::dup2(saved_.get(), 2);
  saved_.reset();
}

std::uintmax_t StderrToFile::captured_bytes() const {
  std::error_code ignored;
  return fs::file_size(path_, ignored);
}

}  // namespace autoif::attack
