// An output file that appears whole or not at all: bytes go to a hidden temporary file in the
// destination's own folder (so the final rename stays on one filesystem and is atomic), and
// only commit() puts it in place. A failure or a kill half way leaves any previous file at
// that path untouched, and the destructor removes an uncommitted temporary.
//
// The system calls go through FileSystem so tests can wrap the real one and make a write,
// fsync or rename fail (leveldb's EnvWrapper pattern).
//
// Contract: create() makes the destination's folder if needed and fails with a message naming
// the path when the folder cannot take a new file. write() buffers and reports the first
// failing write(2) with its errno; finish() flushes and fsyncs; commit() finishes if needed,
// renames and fsyncs the folder, once. Errors name the file. Not thread-safe; move-only.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace autoif::io {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // mkostemp(3) on `pattern` (ending in XXXXXX, rewritten in place); -1 with errno on failure.
  virtual int make_temp(std::string& pattern) = 0;
  virtual long write(int fd, const char* data, std::size_t size) = 0;  // write(2)
  virtual int sync(int fd) = 0;                                        // fsync(2)
  virtual int rename(const std::string& from, const std::string& to) = 0;
};

FileSystem& real_file_system();

class AtomicFile {
 public:
  static tl::expected<AtomicFile, std::string> create(const std::string& path, FileSystem& fs = real_file_system());

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::string& path() const { return path_; }
  tl::expected<void, std::string> write(std::string_view bytes);
  tl::expected<void, std::string> finish();
  tl::expected<void, std::string> commit();

 private:
  AtomicFile(std::string path, std::string temp_path, int fd, FileSystem& fs);
  tl::expected<void, std::string> flush();
  void close();

  std::string path_;
  std::string temp_path_;  // empty once committed or moved from
  int fd_ = -1;            // owned: closed by close() or the destructor
  FileSystem* fs_;
  std::string buffer_;
  bool finished_ = false;
};

}  // namespace autoif::io
