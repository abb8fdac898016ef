#include "pipeline/run/export.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace autoif::run {
namespace {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path) : path_(std::move(path)), temp_(path_ + ".tmp") {
    auto parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    file_ = std::fopen(temp_.c_str(), "wb");
    if (!file_) throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
  }
  ~AtomicFile() {
    if (file_) {
      std::fclose(file_);
      std::remove(temp_.c_str());
    }
  }
  void line(const nlohmann::ordered_json& row) {
    std::string text = row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    text += '\n';
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
      throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  }
  void commit() {
    bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || std::rename(temp_.c_str(), path_.c_str()) != 0)
      throw std::runtime_error(path_ + ": cannot finish writing: " + std::strerror(errno));
  }

 private:
  std::string path_, temp_;
  std::FILE* file_ = nullptr;
};

}  // namespace

std::optional<ExportFormat> export_format(std::string_view name) {
  if (name == "trl-sft") return ExportFormat::trl_sft;
  if (name == "trl-dpo") return ExportFormat::trl_dpo;
  return std::nullopt;
}

std::size_t export_rows(storage::PipelineStore& store, const config::Config& config, ExportFormat format,
                        const std::string& path) {
  AtomicFile out(path);
  std::size_t rows = 0;
  if (format == ExportFormat::trl_sft) {
    store.for_each_sft(config.responses.source, config.verify.min_pass_rate, config.score.min_score,
                       config.select.drop_truncated, [&](const storage::SftRow& row) {
                         nlohmann::ordered_json user{{"role", "user"}, {"content", row.prompt}};
                         nlohmann::ordered_json assistant{{"role", "assistant"}, {"content", row.response}};
                         out.line(nlohmann::ordered_json{{"messages", {user, assistant}}});
                         ++rows;
                       });
  } else {
    store.for_each_pair([&](const storage::PairRow& pair) {
      nlohmann::ordered_json row{{"prompt", pair.prompt}, {"chosen", pair.chosen}, {"rejected", pair.rejected}};
      out.line(row);
      ++rows;
    });
  }
  out.commit();
  return rows;
}

}  // namespace autoif::run
