// Containment for the sandbox attack suite.
//
// The attack suite hands deliberately malicious Python to the sandbox. If the sandbox is
// broken, that code runs as root on the machine running the tests, and `os.kill(-1, 9)` would
// end every process on it. So the suite runs itself again in its own PID namespace
// (`unshare --pid --fork --kill-child --mount-proc`), where kill(-1) reaches only the suite,
// and, where the machine allows it, in a fresh cgroup whose pids and memory limits bound a
// fork bomb or a memory bomb that got through.
//
// Contract
// - contain(argv) returns nullopt when the caller should run the tests itself: the process is
//   already contained (the marker variable is set), argv only lists tests or reporters (no
//   untrusted code runs; catch_discover_tests lists through the same main), or no PID namespace
//   can be made here (the caller then runs uncontained; describe() says so).
// - Otherwise it runs argv again inside the containment, waits for it, removes the cgroup and
//   returns the exit status to use (128 + signal if the contained run was killed).
// - describe() is one line saying what containment the current process runs under.
// - Cgroup steps are best effort: what the machine does not allow is skipped silently.
// Not thread-safe: call from main() before anything else starts.
#pragma once

#include <optional>
#include <string>

namespace autoif::attack {

// Set in the contained run; its value says what containment is active.
inline constexpr const char* kContainedMarker = "AUTOIF_ATTACK_CONTAINED";

struct ContainmentLimits {
  long pids_max = 256;
  long long memory_max_bytes = 4LL << 30;
};

std::optional<int> contain(int argc, char** argv, ContainmentLimits limits = {});

std::string describe();

}  // namespace autoif::attack
