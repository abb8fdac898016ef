// Writes a whole file or nothing, through io::AtomicFile (pipeline/io/atomic_file.h): a
// temporary file in the destination's folder, fsynced, then renamed over `path`. A failure or
// a kill half way leaves any previous file at `path` untouched.
//
// Contract: the error names the path and the failing call with its errno text. Thread-safe
// (no shared state).
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <string_view>

namespace autoif::report {

tl::expected<void, std::string> write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace autoif::report
