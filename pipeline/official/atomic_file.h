// An output file that appears whole or not at all: rows are written to a temporary file in
// the destination's own folder (so the final rename stays on one filesystem and is atomic),
// and only commit() puts it in place. A run that fails or is killed half way leaves any
// previous file at that path untouched; the destructor removes an uncommitted temporary.
//
// Contract: create() fails with a message naming the path when the folder cannot take a new
// file. write() buffers and reports the first failing write(2) with its errno; commit()
// flushes, fsyncs and renames, and may be called once. Not thread-safe; move-only.
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <string_view>

#include "sandbox/unique_fd.h"

namespace autoif::official {

class AtomicFile {
 public:
  static tl::expected<AtomicFile, std::string> create(const std::string& path);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  tl::expected<void, std::string> write(std::string_view bytes);
  tl::expected<void, std::string> commit();

 private:
  AtomicFile(std::string path, std::string temp_path, sandbox::UniqueFd fd);
  tl::expected<void, std::string> flush();

  std::string path_;
  std::string temp_path_;  // empty once committed or moved from
  sandbox::UniqueFd fd_;
  std::string buffer_;
};

}  // namespace autoif::official
