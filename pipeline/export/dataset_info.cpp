#include "pipeline/export/dataset_info.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace autoif::exports {
namespace {

namespace fs = std::filesystem;

// Relative to `dir` when `file` lies inside it, else absolute.
std::string file_name_for(const std::string& dir, const std::string& file) {
  std::error_code error;
  auto base = fs::weakly_canonical(fs::absolute(dir), error);
  auto target = fs::weakly_canonical(fs::absolute(file), error);
  auto relative = target.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != ".." && relative.is_relative()) return relative.generic_string();
  return target.generic_string();
}

}  // namespace

nlohmann::ordered_json llamafactory_entry(Format format, const std::string& file_name) {
  using json = nlohmann::ordered_json;
  bool ranking = format == Format::alpaca_dpo || format == Format::sharegpt_dpo;
  bool sharegpt = format == Format::sharegpt_sft || format == Format::sharegpt_dpo;
  json entry{{"file_name", file_name}, {"formatting", sharegpt ? "sharegpt" : "alpaca"}, {"ranking", ranking}};
  json columns = json::object();
  if (sharegpt) {
    columns["messages"] = "conversations";
  } else {
    columns["prompt"] = "instruction";
    columns["query"] = "input";
    if (!ranking) columns["response"] = "output";
  }
  if (ranking) {
    columns["chosen"] = "chosen";
    columns["rejected"] = "rejected";
  }
  entry["columns"] = std::move(columns);
  if (sharegpt)
    entry["tags"] = json{{"role_tag", "from"}, {"content_tag", "value"}, {"user_tag", "human"}, {"assistant_tag", "gpt"}};
  return entry;
}

tl::expected<DatasetInfo, std::string> DatasetInfo::load(const std::string& dir) {
  std::string path = (fs::path(dir) / "dataset_info.json").string();
  nlohmann::ordered_json info = nlohmann::ordered_json::object();
  std::error_code error;
  if (fs::exists(path, error)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return tl::unexpected(path + ": cannot read it");
    std::stringstream text;
    text << in.rdbuf();
    try {
      info = nlohmann::ordered_json::parse(text.str());
    } catch (const nlohmann::json::exception& parse) {
      return tl::unexpected(path + ": not valid JSON (" + parse.what() +
                            "); it was left untouched: fix it, or move it away to start a new one");
    }
    if (!info.is_object())
      return tl::unexpected(path + ": expected a JSON object of datasets by name; it was left untouched");
  }
  return DatasetInfo(dir, path, std::move(info));
}

void DatasetInfo::set(const std::string& name, Format format, const std::string& file) {
  info_[name] = llamafactory_entry(format, file_name_for(dir_, file));
}

tl::expected<void, std::string> DatasetInfo::save(io::FileSystem& filesystem) const {
  auto out = io::AtomicFile::create(path_, filesystem);
  if (!out) return tl::unexpected(out.error());
  if (auto written = out->write(info_.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
      !written)
    return written;
  return out->commit();
}

}  // namespace autoif::exports
