#include "pipeline/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace autoif::io {
namespace {

constexpr std::size_t kFlushBytes = 1 << 16;

std::string errno_text(const std::string& what, int error) { return what + ": " + std::strerror(error); }

class RealFileSystem final : public FileSystem {
 public:
  int make_temp(std::string& pattern) override { return ::mkostemp(pattern.data(), O_CLOEXEC); }
  long write(int fd, const char* data, std::size_t size) override { return ::write(fd, data, size); }
  int sync(int fd) override { return ::fsync(fd); }
  int rename(const std::string& from, const std::string& to) override { return ::rename(from.c_str(), to.c_str()); }
};

// The rename itself is durable only once the folder's entry is on disk.
void sync_folder(const std::filesystem::path& folder) {
  int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the data itself is already synced
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

FileSystem& real_file_system() {
  static RealFileSystem fs;
  return fs;
}

tl::expected<AtomicFile, std::string> AtomicFile::create(const std::string& path, FileSystem& fs) {
  std::filesystem::path target(path);
  if (target.filename().empty()) return tl::unexpected(path + ": not a file name");
  std::error_code error;
  if (std::filesystem::is_directory(target, error)) return tl::unexpected(path + ": is a folder, expected a file name");
  auto folder = target.parent_path();
  if (!folder.empty() && !std::filesystem::exists(folder, error)) {
    std::filesystem::create_directories(folder, error);
    if (error) return tl::unexpected(path + ": cannot create its folder: " + error.message());
  }
  // Built with append: GCC 12 warns falsely (-Wrestrict) on "." + std::string&&.
  std::string hidden(".");
  hidden.append(target.filename().string()).append(".tmp-XXXXXX");
  std::string pattern = (folder / hidden).string();
  int fd = fs.make_temp(pattern);
  if (fd < 0) return tl::unexpected(errno_text(path + ": cannot create a file next to it", errno));
  // mkostemp creates 0600; give the result the mode a plain open() would have.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  return AtomicFile(path, pattern, fd, fs);
}

AtomicFile::AtomicFile(std::string path, std::string temp_path, int fd, FileSystem& fs)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), fs_(&fs) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::exchange(other.temp_path_, std::string())),
      fd_(std::exchange(other.fd_, -1)),
      fs_(other.fs_),
      buffer_(std::move(other.buffer_)),
      finished_(other.finished_) {}

AtomicFile::~AtomicFile() {
  close();
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

tl::expected<void, std::string> AtomicFile::write(std::string_view bytes) {
  if (temp_path_.empty() || finished_) return tl::unexpected(path_ + ": written after it was finished");
  buffer_.append(bytes);
  if (buffer_.size() >= kFlushBytes) return flush();
  return {};
}

tl::expected<void, std::string> AtomicFile::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    long n = fs_->write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_text(path_ + ": write failed", errno));
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return {};
}

tl::expected<void, std::string> AtomicFile::finish() {
  if (finished_) return {};
  if (temp_path_.empty()) return tl::unexpected(path_ + ": finished after commit");
  if (auto flushed = flush(); !flushed) return flushed;
  if (fs_->sync(fd_) != 0) return tl::unexpected(errno_text(path_ + ": fsync failed", errno));
  finished_ = true;
  return {};
}

tl::expected<void, std::string> AtomicFile::commit() {
  if (temp_path_.empty()) return tl::unexpected(path_ + ": committed twice");
  if (auto finished = finish(); !finished) return finished;
  close();
  if (fs_->rename(temp_path_, path_) != 0)
    return tl::unexpected(errno_text(path_ + ": cannot rename the finished temporary file to it", errno));
  temp_path_.clear();
  sync_folder(std::filesystem::path(path_).parent_path());
  return {};
}

}  // namespace autoif::io
