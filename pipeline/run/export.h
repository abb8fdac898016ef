// Writing a run's datasets as JSONL, streamed from the database (nothing is loaded whole) and
// written atomically: a temporary file beside the target, then a rename, so a reader never sees
// half a file. Rows come in the store's content order, so the same run gives the same bytes.
#pragma once

#include <cstddef>
#include <string>

#include "pipeline/config/config.h"
#include "storage/pipeline_store.h"

namespace autoif::run {

enum class ExportFormat { trl_sft, trl_dpo };

// "trl-sft" / "trl-dpo"; nullopt otherwise.
std::optional<ExportFormat> export_format(std::string_view name);

// Writes `format` to `path`; returns the number of rows. Throws with a message naming the file.
std::size_t export_rows(storage::PipelineStore& store, const config::Config& config, ExportFormat format,
                        const std::string& path);

}  // namespace autoif::run
