#include "pipeline/report/atomic_write.h"

#include "pipeline/io/atomic_file.h"

namespace autoif::report {

tl::expected<void, std::string> write_file_atomically(const std::string& path, std::string_view bytes) {
  auto file = io::AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  if (auto written = file->write(bytes); !written) return written;
  return file->commit();
}

}  // namespace autoif::report
