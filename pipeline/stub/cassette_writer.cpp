#include "pipeline/stub/cassette_writer.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pipeline/stub/cassette.h"

namespace autoif::stub {
namespace {

std::string failure(const std::string& path, const char* call, int error) {
  return path + ": " + call + ": " + std::strerror(error);
}

// Cuts a torn last line (no trailing newline) left by a crash in the middle of a write.
tl::expected<void, std::string> drop_torn_tail(int fd, const std::string& path) {
  struct stat info {};
  if (fstat(fd, &info) != 0) return tl::unexpected(failure(path, "fstat", errno));
  off_t end = info.st_size;
  char last = '\n';
  if (end == 0 || pread(fd, &last, 1, end - 1) != 1 || last == '\n') return {};
  char chunk[4096];
  off_t keep = 0;
  for (off_t position = end; position > 0 && keep == 0;) {
    off_t start = position > static_cast<off_t>(sizeof chunk) ? position - static_cast<off_t>(sizeof chunk) : 0;
    ssize_t got = pread(fd, chunk, static_cast<std::size_t>(position - start), start);
    if (got <= 0) return tl::unexpected(failure(path, "pread", errno));
    for (ssize_t i = got - 1; i >= 0; --i)
      if (chunk[i] == '\n') {
        keep = start + i + 1;
        break;
      }
    position = start;
  }
  if (ftruncate(fd, keep) != 0) return tl::unexpected(failure(path, "ftruncate", errno));
  return {};
}

}  // namespace

CassetteWriter::CassetteWriter(UniqueFd fd, std::string path)
    : fd_(std::move(fd)), path_(std::move(path)), mutex_(std::make_unique<std::mutex>()) {}

tl::expected<CassetteWriter, std::string> CassetteWriter::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd) return tl::unexpected(failure(path, "open", errno));
  if (auto dropped = drop_torn_tail(fd.get(), path); !dropped) return tl::unexpected(dropped.error());
  return CassetteWriter(std::move(fd), path);
}

tl::expected<void, std::string> CassetteWriter::append(const nlohmann::json& request,
                                                       const nlohmann::json& response) {
  nlohmann::json exchange{{"request", request}, {"response", response}};
  if (auto entry = parse_cassette_entry(exchange); !entry)
    return tl::unexpected(path_ + ": not recording an exchange the stub could not replay: " + entry.error());
  std::string line = exchange.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';

  std::lock_guard lock(*mutex_);
  off_t before = lseek(fd_.get(), 0, SEEK_END);
  std::size_t written = 0;
  while (written < line.size()) {
    ssize_t count = ::write(fd_.get(), line.data() + written, line.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      int error = count < 0 ? errno : EIO;
      if (before >= 0 && ftruncate(fd_.get(), before) != 0) {
        // The torn line stays; the next open() cuts it.
      }
      return tl::unexpected(failure(path_, "write", error));
    }
    written += static_cast<std::size_t>(count);
  }
  return {};
}

}  // namespace autoif::stub
