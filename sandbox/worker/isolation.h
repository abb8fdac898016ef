// Setting up the worker process before any untrusted code exists: each step is named, checked,
// and either required (failure stops the worker with a message naming the step and errno) or
// defence in depth (failure is recorded, and the seccomp filter plus rlimits must hold alone).
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <vector>

namespace autoif::sandbox::worker {

// Descriptors the worker keeps; everything else inherited is closed.
struct StdioFds {
  int protocol_in = -1;
  int protocol_out = -1;
};

// Moves the protocol pipes off 0/1, points 0/1 at /dev/null, closes every other inherited fd.
tl::expected<StdioFds, std::string> take_protocol_fds();

// Unshares what the kernel allows (mount, network, IPC, UTS, PID; a user namespace first when
// not root). Returns the labels of what was entered.
std::vector<std::string> enter_namespaces();

// With a new PID namespace, forks so that the worker proper becomes its init: the original
// process only waits and exits with the worker's status. Job children then cannot see or signal
// any process outside. Returns false when no PID namespace was entered.
bool become_namespace_init();

// Mounts an empty read-only tmpfs and chroots into it, so the host filesystem is out of reach
// even for calls the filter lets through. Requires a private mount namespace.
tl::expected<std::string, std::string> enter_empty_root();

// Drops to an unprivileged uid/gid (or, in a user namespace, drops every capability).
tl::expected<std::string, std::string> drop_privileges();

// Kill this process when its parent dies, so a dead pool never leaves workers behind.
void die_with_parent();

}  // namespace autoif::sandbox::worker
