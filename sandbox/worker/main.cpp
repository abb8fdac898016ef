// autoif-sandbox-worker: started by the pool (sandbox/pool.cpp) with an empty environment and
// only its stdin/stdout pipes. Setup is a flat list of named steps: required ones stop the
// worker with a message naming the step; defence-in-depth ones are recorded when they succeed.
// Then it serves jobs until stdin closes.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/policy.h"
#include "sandbox/protocol.h"
#include "sandbox/worker/isolation.h"
#include "sandbox/worker/job_runner.h"
#include "sandbox/worker/python_host.h"
#include "sandbox/worker/state_guard.h"

extern char** environ;

namespace {

using namespace autoif::sandbox;
using nlohmann::json;

[[noreturn]] void fail(int out_fd, const std::string& step, const std::string& why) {
  json hello{{"ok", false}, {"error", step + ": " + why}};
  if (out_fd >= 0) (void)protocol::send_message(out_fd, hello.dump(), std::nullopt);
  std::fprintf(stderr, "autoif-sandbox-worker: %s: %s\n", step.c_str(), why.c_str());
  std::exit(1);
}

std::vector<std::string> strings(const json& value) {
  std::vector<std::string> out;
  if (value.is_array())
    for (const auto& item : value)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

int serve() {
  auto fds = worker::take_protocol_fds();
  if (!fds) fail(1, "taking the protocol descriptors", fds.error());
  const int in = fds->protocol_in, out = fds->protocol_out;
  worker::die_with_parent();
  // A terminal's Ctrl-C reaches its whole foreground process group. The pool's owner stops
  // gracefully on it and needs its workers to finish the jobs in flight, so leave that group.
  ::setsid();

  auto config_text = protocol::receive_message(in, std::nullopt);
  if (!config_text) fail(out, "reading the configuration", config_text.error());
  json config = json::parse(*config_text, nullptr, false);
  if (!config.is_object()) fail(out, "reading the configuration", "not a JSON object");

  std::vector<std::string> protections;
  // The pool gives us no environment; make sure nothing an embedding could leak survives.
  if (environ && *environ) ::clearenv();
  protections.push_back("empty-environment");

  auto namespaces = worker::enter_namespaces();
  bool own_mounts = false, own_pids = false;
  for (const auto& name : namespaces) {
    protections.push_back(name);
    own_mounts |= name == "mountns";
    own_pids |= name == "pidns";
  }
  if (own_pids && !worker::become_namespace_init()) fail(out, "fork into the PID namespace", "fork failed");

  auto python = worker::start_python(strings(config["modules"]), strings(config["extras"]));
  if (!python) fail(out, "starting Python", python.error());

  int statm = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm < 0) fail(out, "opening /proc/self/statm", std::strerror(errno));

  auto rules = policy::default_rules();
  auto program = policy::compile(rules);
  if (!program) fail(out, "building the seccomp filter", program.error());
  protections.push_back("seccomp");

  if (auto sealed = worker::seal_imports(); !sealed) fail(out, "sealing imports", sealed.error());
  // Without a snapshot a child cannot prove a job left nothing behind: fork one per job then.
  worker::RunnerOptions runner_options;
  auto guard = worker::snapshot_state();
  runner_options.reuse_children = guard.has_value();
  if (guard)
    protections.push_back("state-guard");
  else
    std::fprintf(stderr, "autoif-sandbox-worker: one child per job (no state guard: %s)\n",
                 guard.error().c_str());
  if (auto frozen = worker::freeze_heap(); !frozen) fail(out, "freezing the heap", frozen.error());
  ::malloc_trim(0);  // give back start-up garbage: less memory for every fork to map

  if (own_mounts) {
    if (auto root = worker::enter_empty_root(); root) protections.push_back(*root);
  }
  if (auto dropped = worker::drop_privileges(); dropped) protections.push_back(*dropped);
  // Changing credentials clears the parent-death signal: set it again.
  worker::die_with_parent();

  json hello{{"ok", true},
             {"python", python->version},
             {"loaded", python->loaded},
             {"missing", python->missing},
             {"protections", protections}};
  if (!protocol::send_message(out, hello.dump(), std::nullopt)) return 1;

  worker::JobRunner runner(*program, statm, runner_options);
  std::string payload;  // reused: its pages stay mapped from one job to the next
  for (;;) {
    if (!protocol::receive_message(in, std::nullopt, payload)) return 0;  // stdin closed: done
    auto job = protocol::decode_job_view(payload);
    if (!job) fail(out, "decoding a job", "malformed message");
    JobResult result = runner.run(*job);
    if (!protocol::send_message(out, protocol::encode_result(result), std::nullopt)) return 1;
  }
}

}  // namespace

int main() { return serve(); }
