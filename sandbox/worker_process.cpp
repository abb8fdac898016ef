#include "sandbox/worker_process.h"

#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>

#include <algorithm>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/protocol.h"

namespace autoif::sandbox {

namespace bp = boost::process;

struct WorkerProcess::Handle {
  bp::pipe to_worker;
  bp::pipe from_worker;
  bp::child child;
};

namespace {

std::vector<std::string> strings(const nlohmann::json& value) {
  std::vector<std::string> out;
  if (value.is_array())
    for (const auto& item : value)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

WorkerProcess::WorkerProcess(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}

WorkerProcess::~WorkerProcess() { kill(); }

void WorkerProcess::kill() {
  if (!handle_) return;
  handle_->to_worker.close();
  handle_->from_worker.close();
  std::error_code ignored;
  if (handle_->child.running(ignored)) handle_->child.terminate(ignored);
  if (handle_->child.valid()) handle_->child.wait(ignored);
  handle_.reset();
}

tl::expected<std::unique_ptr<WorkerProcess>, std::string> WorkerProcess::start(
    const std::string& path, const std::vector<std::string>& modules,
    const std::vector<std::string>& extras, std::chrono::milliseconds startup_timeout) {
  auto handle = std::make_unique<Handle>();
  bp::environment empty;  // the worker sees no variable of ours: API keys live there
  empty.clear();
  std::error_code error;
  handle->child = bp::child(bp::exe = path, bp::std_in < handle->to_worker,
                            bp::std_out > handle->from_worker, bp::std_err > stderr,
                            bp::env = empty, error,
                            // Runs after the redirections: the worker inherits nothing else
                            // (libcurl sockets, the database...). Boost's limit_handles
                            // closed the redirected stdout too, so this is done by hand.
                            bp::extend::on_exec_setup = [](auto&) {
                              ::syscall(SYS_close_range, 3u, ~0U, 0);
                            });
  if (error) return tl::unexpected("cannot start the sandbox worker " + path + ": " + error.message());
  // A job of a few hundred responses then crosses in one or two writes instead of a write and
  // a wake-up per 64 kB (the kernel caps the size for unprivileged users; best effort).
  ::fcntl(handle->to_worker.native_sink(), F_SETPIPE_SZ, 1 << 20);
  ::fcntl(handle->from_worker.native_source(), F_SETPIPE_SZ, 1 << 20);
  int to_bytes = ::fcntl(handle->to_worker.native_sink(), F_GETPIPE_SZ);
  int from_bytes = ::fcntl(handle->from_worker.native_source(), F_GETPIPE_SZ);
  // Our copies of the worker's ends must go, or end-of-stream would never be seen.
  ::close(handle->to_worker.native_source());
  handle->to_worker.assign_source(-1);
  ::close(handle->from_worker.native_sink());
  handle->from_worker.assign_sink(-1);

  std::unique_ptr<WorkerProcess> worker(new WorkerProcess(std::move(handle)));
  worker->pipe_bytes_ = static_cast<std::size_t>(std::max(0, std::min(to_bytes, from_bytes)));
  auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  nlohmann::json config{{"modules", modules}, {"extras", extras}};
  auto sent = protocol::send_message(worker->handle_->to_worker.native_sink(), config.dump(), deadline);
  const std::string who = "the sandbox worker " + path;
  if (!sent) return tl::unexpected("sending " + who + " its configuration: " + sent.error());
  auto hello_text = protocol::receive_message(worker->handle_->from_worker.native_source(), deadline);
  if (!hello_text) return tl::unexpected(who + " did not start: " + hello_text.error());
  auto hello = nlohmann::json::parse(*hello_text, nullptr, false);
  if (!hello.is_object()) return tl::unexpected(who + " sent a malformed greeting");
  if (hello.value("ok", false) != true)
    return tl::unexpected(who + " failed to start: " + hello.value("error", std::string("?")));
  worker->info_.python_version = hello.value("python", std::string());
  worker->info_.loaded_modules = strings(hello["loaded"]);
  worker->info_.missing_modules = strings(hello["missing"]);
  worker->info_.protections = strings(hello["protections"]);
  return worker;
}

tl::expected<JobResult, std::string> WorkerProcess::run(
    const Job& job, std::chrono::steady_clock::time_point deadline) {
  if (auto sent = send(job, deadline); !sent) return tl::unexpected(sent.error());
  return receive(job.inputs.size(), deadline);
}

tl::expected<void, std::string> WorkerProcess::send(const Job& job,
                                                    std::chrono::steady_clock::time_point deadline) {
  if (!handle_) return tl::unexpected(std::string("the worker is not running"));
  protocol::encode_job(job, outgoing_);
  auto sent = protocol::send_message(handle_->to_worker.native_sink(), outgoing_, deadline);
  if (!sent) {
    kill();
    return tl::unexpected("sending a job to the worker: " + sent.error());
  }
  return {};
}

tl::expected<JobResult, std::string> WorkerProcess::receive(
    std::size_t inputs, std::chrono::steady_clock::time_point deadline) {
  if (!handle_) return tl::unexpected(std::string("the worker is not running"));
  auto reply = protocol::receive_message(handle_->from_worker.native_source(), deadline, incoming_);
  if (!reply) {
    kill();
    return tl::unexpected("waiting for the worker's verdicts: " + reply.error());
  }
  auto result = protocol::decode_result(incoming_);
  if (!result || result->verdicts.size() != inputs) {
    kill();
    return tl::unexpected(std::string("the worker sent a malformed result"));
  }
  return std::move(*result);
}

bool WorkerProcess::can_send_ahead(const Job& next, std::size_t running_inputs) const {
  std::size_t job_bytes = 4 + 16 + next.source.size() + 4 * next.inputs.size();
  for (const auto& input : next.inputs) job_bytes += input.size();
  std::size_t result_bytes = protocol::max_result_bytes(running_inputs);
  return job_bytes <= pipe_bytes_ && result_bytes <= pipe_bytes_;
}

}  // namespace autoif::sandbox
