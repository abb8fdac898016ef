// Appends exchanges to a cassette as they happen (used by `autoif run --record-cassette`), so
// a run against a real server can be replayed later through `autoif stub-llm`.
//
// Each exchange becomes one line written with a single append-mode write(): a crash leaves at
// most one torn last line, which the next open() cuts off; a failed write (disk full) is cut
// back so the file never keeps half a line. Lines are flushed to the kernel as they are
// appended (no user-space buffer), not fsynced: losing the tail of a recording in a power cut
// costs a re-run, while an fsync per call would cost every call.
//
// Every line is checked with the cassette loader's own rules before it is written, so a
// recorded cassette always loads. Thread-safe: append() may be called from several threads.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <memory>
#include <mutex>
#include <string>

#include "pipeline/stub/unique_fd.h"

namespace autoif::stub {

class CassetteWriter {
 public:
  // Opens (creating if needed) `path` for appending; existing exchanges are kept.
  static tl::expected<CassetteWriter, std::string> open(const std::string& path);

  // Appends {"request": request, "response": response}. `request` is the chat-completions body
  // that was sent (every field of it will have to match on replay); `response` is the
  // chat.completion object the server returned. Errors name the file and the problem.
  tl::expected<void, std::string> append(const nlohmann::json& request, const nlohmann::json& response);

  const std::string& path() const { return path_; }

 private:
  CassetteWriter(UniqueFd fd, std::string path);
  UniqueFd fd_;
  std::string path_;
  std::unique_ptr<std::mutex> mutex_;  // behind a pointer so the writer stays movable
};

}  // namespace autoif::stub
