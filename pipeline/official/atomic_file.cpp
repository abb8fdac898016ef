#include "pipeline/official/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace autoif::official {
namespace {

constexpr std::size_t kFlushBytes = 1 << 16;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

tl::expected<AtomicFile, std::string> AtomicFile::create(const std::string& path) {
  std::filesystem::path target(path);
  if (target.filename().empty()) return tl::unexpected(path + ": not a file name");
  std::error_code error;
  if (std::filesystem::is_directory(target, error))
    return tl::unexpected(path + ": is a folder, expected a file name");
  auto folder = target.parent_path();
  // Built with append: GCC 12 warns falsely (-Wrestrict) on "." + std::string&&.
  std::string hidden(".");
  hidden.append(target.filename().string()).append(".tmp-XXXXXX");
  std::string pattern = (folder / hidden).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  sandbox::UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) return tl::unexpected(errno_text(path + ": cannot create a file next to it (mkostemp)"));
  // mkostemp creates 0600; give the result the mode a plain open() would have.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd.get(), 0666 & ~mask);
  return AtomicFile(path, std::string(name.data()), std::move(fd));
}

AtomicFile::AtomicFile(std::string path, std::string temp_path, sandbox::UniqueFd fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::exchange(other.temp_path_, std::string())),
      fd_(std::move(other.fd_)),
      buffer_(std::move(other.buffer_)) {}

AtomicFile::~AtomicFile() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

tl::expected<void, std::string> AtomicFile::write(std::string_view bytes) {
  if (temp_path_.empty()) return tl::unexpected(path_ + ": written after commit");
  buffer_.append(bytes);
  if (buffer_.size() >= kFlushBytes) return flush();
  return {};
}

tl::expected<void, std::string> AtomicFile::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_.get(), buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_text(temp_path_ + ": write"));
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return {};
}

tl::expected<void, std::string> AtomicFile::commit() {
  if (temp_path_.empty()) return tl::unexpected(path_ + ": committed twice");
  if (auto flushed = flush(); !flushed) return flushed;
  if (::fsync(fd_.get()) != 0) return tl::unexpected(errno_text(temp_path_ + ": fsync"));
  fd_.reset();
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    return tl::unexpected(errno_text(path_ + ": cannot rename " + temp_path_ + " to it"));
  temp_path_.clear();
  return {};
}

}  // namespace autoif::official
