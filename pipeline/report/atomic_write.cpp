#include "pipeline/report/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "pipeline/llm/unique_fd.h"

namespace autoif::report {
namespace {

std::string failure(const std::string& path, const char* call) {
  return path + ": " + call + " failed: " + std::strerror(errno);
}

// Removes the temporary file unless the rename made it the real one.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

tl::expected<void, std::string> write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string pattern = path + ".tmp-XXXXXX";
  llm::UniqueFd fd(::mkstemp(pattern.data()));
  if (!fd.valid()) return tl::unexpected(failure(path, "creating a temporary file (mkstemp)"));
  TempFile temp{pattern};
  // mkstemp makes 0600; a report is meant to be shared and opened in a browser. (Not umask-based:
  // reading the umask means changing it, which is not thread-safe.)
  if (::fchmod(fd.get(), 0644) != 0) return tl::unexpected(failure(path, "fchmod"));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(failure(path, "write"));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return tl::unexpected(failure(path, "fsync"));
  if (::close(fd.release()) != 0) return tl::unexpected(failure(path, "close"));
  if (::rename(temp.path.c_str(), path.c_str()) != 0) return tl::unexpected(failure(path, "rename"));
  temp.keep = true;
  // The rename itself is durable once the folder is synced.
  auto folder = std::filesystem::path(path).parent_path();
  llm::UniqueFd dir(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return {};
}

}  // namespace autoif::report
