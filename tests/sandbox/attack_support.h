// Helpers of the sandbox attack suite: the pool the attacks run on, the host-side bait they
// go after (secrets, a canary directory, loopback listeners, a sleeper process) and the checks
// that the bait was left alone.
//
// Contract
// - pool() starts one pool (one worker, so consecutive jobs share it) on first use, after
//   planting the host secrets: an API key in this process's environment and descriptors
//   inherited without O_CLOEXEC. Both are in place before any worker exists.
// - run() never hangs the suite: a job that gets no answer in kHangGuard ends the process
//   with a message (the pool promises this cannot happen; the guard only makes a broken
//   promise visible instead of blocking ctest).
// - Every bait object removes what it created when it goes away. Not thread-safe.
//
// Tests tagged [found] pin holes this suite found in the sandbox (each comment says what it
// got before the fix). A new hole gets a failing test tagged [hole] until the sandbox is fixed;
// `sandbox_attack_tests '~[hole]'` runs the rest. AUTOIF_ATTACK_VERBOSE=1 shows how every
// attack was stopped.
#pragma once

#include <sys/types.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/pool.h"
#include "sandbox/unique_fd.h"

namespace autoif::attack {

using sandbox::JobResult;
using sandbox::Limits;
using sandbox::Status;
using sandbox::Verdict;
using namespace std::chrono_literals;

// Limits for attacks that should end at once (a forbidden call, an error): generous enough
// that a loaded machine never turns a benign neighbour into a timeout, and free unless used.
inline const Limits kQuick{1000ms, 64};
// For attacks that must run into the timeout: every one costs this much.
inline const Limits kHang{500ms, 64};
// For attacks that must run into the memory limit before the timeout.
inline const Limits kMemory{5000ms, 64};

inline constexpr auto kHangGuard = std::chrono::seconds(180);

struct HostSecrets {
  std::string api_key;       // OPENAI_API_KEY of this process
  std::string fd_secret;     // what the inherited file holds
  int file_fd = -1;          // inherited: the (already unlinked) file, read-write
  int socket_fd = -1;        // inherited: one end of a socket pair
  int peer_fd = -1;          // the other end (also inherited), watched for bytes
};
const HostSecrets& host_secrets();

sandbox::Pool& pool();
JobResult run(std::string source, std::vector<std::string> inputs, Limits limits = kQuick);
JobResult run_on(sandbox::Pool& pool, std::string source, std::vector<std::string> inputs,
                 Limits limits);
// The result of a submitted job, under the same hang guard as run().
JobResult await_guarded(std::future<JobResult>& future);

// What the last run() or run_on() left on the host besides its verdicts.
struct JobAftermath {
  std::set<pid_t> new_processes;  // descendants of this process that appeared during the job
  std::size_t worker_restarts = 0;
};
const JobAftermath& last_aftermath();

// --- Python sources ---------------------------------------------------------------------

// A function whose evaluate() calls attack() (defined by `attack_code`) on the input "attack"
// and answers the benign inputs of kBatch truthfully. `load(name)` is in scope: the import
// statement, then the builtin importer behind the sandbox's import seal, so that an attack
// reaches the system call whenever a module is compiled into the interpreter.
std::string attack_source(std::string_view attack_code);
// The inputs every attack job gets: a benign one before and after the attack.
inline const std::vector<std::string> kBatch = {"benign true", "attack", "benign false"};

// Replaces each @NAME@ in `text` with its value.
std::string fill(std::string text, std::initializer_list<std::pair<std::string, std::string>> values);
// A Python string literal holding `text` (bytes outside printable ASCII escaped).
std::string py_str(std::string_view text);

// --- Verdict checks ----------------------------------------------------------------------

std::string describe(const Verdict& verdict);
std::string describe(const JobResult& result);
bool is_one_of(Status status, std::initializer_list<Status> allowed);
bool is_valid_utf8(std::string_view text);
// The benign inputs of kBatch got their real verdicts: ok/true before, ok/false after.
void require_neighbours_intact(const JobResult& result);
// No verdict or compile message carries `secret`.
void require_not_leaked(const JobResult& result, const std::string& secret);
// The descriptors planted by host_secrets() are as planted: the file holds its secret at its
// old size and no byte travelled through the socket pair in either direction.
void require_inherited_descriptors_untouched();
// What every job must leave as it found it: the planted descriptors are untouched, the last
// job left no process behind and its worker survived.
void require_host_untouched();
// The common assertion of an attack job on kBatch: the attack input's status is one of
// `allowed`, it did not pass, its neighbours are intact, no host secret leaked, and
// require_host_untouched() holds.
void require_attack_stopped(const JobResult& result, std::initializer_list<Status> allowed);

// --- Bait ----------------------------------------------------------------------------------

// A world-writable directory (so that only the sandbox stands between an attack and it) with a
// world-writable canary file, an empty subdirectory and a "database" holding a secret.
class BaitDir {
 public:
  BaitDir();
  ~BaitDir();
  BaitDir(const BaitDir&) = delete;
  BaitDir& operator=(const BaitDir&) = delete;

  struct Entry {
    std::string kind;  // "file", "dir", "link", "other"
    unsigned mode = 0;
    unsigned uid = 0, gid = 0;
    std::int64_t mtime_ns = 0;
    std::string content;  // file content or link target
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  using Snapshot = std::map<std::string, Entry>;  // relative path -> entry
  Snapshot snapshot() const;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path canary() const { return path_ / "canary.txt"; }
  std::filesystem::path empty_dir() const { return path_ / "empty-dir"; }
  std::filesystem::path database() const { return path_ / "run.db"; }
  const std::string& db_secret() const { return db_secret_; }

 private:
  std::filesystem::path path_;
  std::string db_secret_;
};

// A loopback TCP, UDP or unix-stream listener that records whether anything reached it.
class Listener {
 public:
  enum class Kind { tcp, udp, unix_path, unix_abstract };
  explicit Listener(Kind kind);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  const std::string& unix_name() const { return unix_name_; }  // path, or abstract name
  // True if a connection is pending or was made, or a datagram arrived (never blocks).
  bool reached();

 private:
  Kind kind_;
  sandbox::UniqueFd fd_;
  int port_ = 0;
  std::string unix_name_;
};

// A child process that only sleeps, as a target for signals and /proc/<pid>/mem.
class Sleeper {
 public:
  Sleeper();
  ~Sleeper();
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;
  pid_t pid() const { return pid_; }
  bool alive();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The live descendants of this process, except the idle job child a worker keeps for its next
// job; orphans of an escaped fork come back to us because pool() makes this process a child
// subreaper.
std::set<pid_t> descendants();

// Sends this process's stderr to a temporary file until restore() or destruction, so that a
// worker started meanwhile writes there; captured_bytes() says how much was written.
class StderrToFile {
 public:
  StderrToFile();
  ~StderrToFile();
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;
  void restore();
  std::uintmax_t captured_bytes() const;

 private:
  sandbox::UniqueFd saved_;
  std::filesystem::path path_;
};

}  // namespace autoif::attack
