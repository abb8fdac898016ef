// LLaMA-Factory's dataset registry: `--llamafactory-info DIR` adds or updates the entry of each
// written alpaca-*/sharegpt-* file in DIR/dataset_info.json, so `dataset: NAME` works in a
// LLaMA-Factory config without editing anything by hand.
//
// Entry shapes follow LLaMA-Factory's data/README.md: file_name, formatting, ranking, columns
// (and tags for sharegpt); see FORMATS.md.
//
// Contract: load() reads DIR/dataset_info.json (a missing file is an empty registry; a file
// that is not a JSON object is an error naming it, and it is never overwritten), so an export
// can refuse before it writes anything. set() replaces an entry of the same name in place or
// appends a new one; the other entries keep their order and values. save() writes the file
// atomically with two-space indentation, like LLaMA-Factory's own. file_name is relative to
// DIR when the dataset lies inside DIR, else absolute (LLaMA-Factory joins DIR with it, which
// keeps an absolute path as is).
#pragma once

#include <tl/expected.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/io/atomic_file.h"
#include "pipeline/export/formats.h"

namespace autoif::exports {

// The entry for a file of `format` (an alpaca-* or sharegpt-* format).
nlohmann::ordered_json llamafactory_entry(Format format, const std::string& file_name);

class DatasetInfo {
 public:
  static tl::expected<DatasetInfo, std::string> load(const std::string& dir);

  // `file` is the written dataset's path (as given to the export).
  void set(const std::string& name, Format format, const std::string& file);
  tl::expected<void, std::string> save(io::FileSystem& fs = io::real_file_system()) const;

  const std::string& path() const { return path_; }
  const nlohmann::ordered_json& entries() const { return info_; }

 private:
  DatasetInfo(std::string dir, std::string path, nlohmann::ordered_json info)
      : dir_(std::move(dir)), path_(std::move(path)), info_(std::move(info)) {}
  std::string dir_, path_;
  nlohmann::ordered_json info_;
};

}  // namespace autoif::exports
