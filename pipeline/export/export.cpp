#include "pipeline/export/export.h"

#include <filesystem>
#include <stdexcept>

#include "pipeline/io/atomic_file.h"
#include "pipeline/export/dataset_info.h"
#include "pipeline/export/decontaminate.h"
#include "pipeline/export/sources.h"
#include "pipeline/export/split.h"
#include "storage/export_queries.h"

namespace autoif::exports {
namespace {

bool stage_done(const storage::ExportProgress& p, const std::string& stage) {
  auto it = p.stages.find(stage);
  return it != p.stages.end() && it->second;
}

// Why an export has no rows: the first thing upstream the run has not produced yet, or the
// filters when everything was there.
std::string empty_note(Format format, const storage::ExportProgress& p, const std::string& source,
                       std::size_t dropped) {
  const std::string later =
      "; the run may still be going or may have stopped early: export again once `autoif run` has finished";
  auto source_kind = source_of(format);
  if (p.kept_instructions == 0)
    return "the run has no kept instructions yet (the instructions, verifiers and back_translation stages make "
           "them)" + later;
  if (source_kind != Source::instructions) {
    if (p.inputs == 0) return "no instruction has been paired with queries yet (the queries stage)" + later;
    if (source_kind == Source::pairs && p.pairs == 0)
      return stage_done(p, "select") ? "the select stage found no DPO pair (no input has both a passing and a "
                                       "failing response)"
                                     : "no DPO pairs yet: the select stage has not run" + later;
    if (source_kind == Source::responses) {
      if (p.responses == 0) return "no responses from the " + source + " model yet (the responses stage)" + later;
      if (p.scored == 0 && format != Format::trl_kto)
        return "no response has been scored yet (the score stage)" + later;
    }
  }
  if (dropped > 0) return "every candidate row was dropped by the filters listed above";
  return "the run holds no rows of this kind";
}

std::vector<std::string> output_paths(const ExportRequest& request) {
  if (request.split.empty()) return {request.out};
  std::vector<std::string> paths;
  for (const auto& part : request.split) paths.push_back(split_path(request.out, part.name));
  return paths;
}

std::string entry_name(const ExportRequest& request, std::size_t file) {
  std::string name = request.dataset_name.value_or(std::filesystem::path(request.out).stem().string());
  if (!request.split.empty()) name += "." + request.split[file].name;
  return name;
}

}  // namespace

std::size_t ExportSummary::rows() const {
  std::size_t total = 0;
  for (const auto& f : files) total += f.rows;
  return total;
}

tl::expected<ExportSummary, std::string> export_dataset(storage::Database& db, const ExportRequest& request) {
  if (auto checked = check_request(request); !checked) return tl::unexpected(checked.error());
  io::FileSystem& fs = request.fs ? *request.fs : io::real_file_system();

  // Everything that can refuse the request is read before any file is opened.
  std::optional<NgramIndex> bench;
  if (request.decontaminate) {
    auto loaded = NgramIndex::load(*request.decontaminate);
    if (!loaded) return tl::unexpected(loaded.error());
    bench = std::move(*loaded);
  }
  std::optional<DatasetInfo> info;
  if (request.llamafactory_info) {
    auto loaded = DatasetInfo::load(*request.llamafactory_info);
    if (!loaded) return tl::unexpected(loaded.error());
    info = std::move(*loaded);
  }

  ExportSummary summary;
  std::vector<io::AtomicFile> files;
  for (const auto& path : output_paths(request)) {
    // The rename at the end would replace the database itself.
    std::error_code error;
    if (std::filesystem::equivalent(path, db.path(), error))
      return tl::unexpected("--out: " + path + " is the run's database; choose another file");
    auto file = io::AtomicFile::create(path, fs);
    if (!file) return tl::unexpected(file.error());
    files.push_back(std::move(*file));
    summary.files.push_back({path, 0});
  }

  storage::ExportQueries queries(db);
  auto snapshot = queries.snapshot();
  if (!snapshot) return tl::unexpected(snapshot.error().what());
  Drops drops;
  const std::string contaminated =
      bench ? "sharing a " + std::to_string(bench->n()) + "-word sequence with " + *request.decontaminate : "";
  std::optional<std::string> write_error;
  std::size_t written = 0;
  auto produced = produce(queries, request, drops, [&](const Candidate& candidate) {
    if (bench) {
      for (auto text : candidate.texts)
        if (bench->shares_ngram(text)) {
          drops.add(contaminated);
          return true;
        }
    }
    std::size_t index = request.split.empty() ? 0 : split_of(candidate.key, request.split);
    if (auto ok = files[index].write(line(candidate.row)); !ok) {
      write_error = ok.error();
      return false;
    }
    ++summary.files[index].rows;
    if (request.limit && ++written >= *request.limit) {
      summary.limit_reached = true;
      return false;
    }
    return true;
  });
  if (write_error) return tl::unexpected(*write_error);
  if (!produced) return tl::unexpected(produced.error());
  if (bench) drops.declare(contaminated);
  summary.dropped = drops.counts();
  if (summary.rows() == 0) {
    auto progress = queries.progress(request.run.source);
    if (!progress) return tl::unexpected(progress.error().what());
    summary.note = empty_note(request.format, *progress, request.run.source, drops.total());
  }
  snapshot->rollback();  // only read; ends the snapshot before the files are published

  // Every file is on disk before any is renamed into place, so a failure leaves all as they were.
  for (auto& file : files)
    if (auto finished = file.finish(); !finished) return tl::unexpected(finished.error());
  for (auto& file : files)
    if (auto committed = file.commit(); !committed) return tl::unexpected(committed.error());
  if (info) {
    for (std::size_t i = 0; i < summary.files.size(); ++i)
      info->set(entry_name(request, i), request.format, summary.files[i].path);
    if (auto saved = info->save(fs); !saved) return tl::unexpected(saved.error());
    summary.dataset_info = info->path();
  }
  return summary;
}

std::string summary_text(const ExportSummary& summary) {
  std::string text = "export: wrote ";
  for (std::size_t i = 0; i < summary.files.size(); ++i) {
    if (i) text += ", ";
    text += std::to_string(summary.files[i].rows) + (summary.files[i].rows == 1 ? " row to " : " rows to ") +
            summary.files[i].path;
  }
  if (!summary.dropped.empty()) {
    text += "; dropped: ";
    for (std::size_t i = 0; i < summary.dropped.size(); ++i) {
      if (i) text += ", ";
      text += std::to_string(summary.dropped[i].second) + " " + summary.dropped[i].first;
    }
  }
  if (summary.limit_reached) text += "; stopped at --limit";
  if (summary.dataset_info) text += "; updated " + *summary.dataset_info;
  text += "\n";
  if (!summary.note.empty()) text += "export: nothing to write: " + summary.note + "\n";
  return text;
}

std::size_t export_rows(storage::Database& db, const config::Config& config, Format format, const std::string& path) {
  ExportRequest request;
  request.format = format;
  request.out = path;
  request.run = thresholds_from(config);
  auto summary = export_dataset(db, request);
  if (!summary) throw std::runtime_error(summary.error());
  return summary->rows();
}

}  // namespace autoif::exports
