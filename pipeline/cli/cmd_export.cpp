// `autoif export`: a dataset file from a run's database, readable while a run goes on.
#include <cstdio>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/config/loader.h"
#include "pipeline/run/export.h"
#include "storage/database.h"
#include "storage/meta.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif export --db FILE --format FORMAT --out FILE [--config FILE]

Writes one dataset of a run as JSONL, streamed from the database and written atomically.

formats:
  trl-sft   {"messages": [{"role": "user", "content": ...}, {"role": "assistant", "content": ...}]}
  trl-dpo   {"prompt": ..., "chosen": ..., "rejected": ...}

options:
  --db FILE       the run's database
  --format F      one of the formats above
  --out FILE      where to write
  --config FILE   thresholds to apply (default: those the run was started with)
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"db"}, {"format"}, {"out"}, {"config"}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  auto db_path = args->get("db"), format_name = args->get("format"), out = args->get("out");
  if (!db_path || !format_name || !out) throw std::runtime_error("--db, --format and --out are required");
  auto format = run::export_format(*format_name);
  if (!format) throw std::runtime_error("--format: unknown format '" + *format_name + "' (trl-sft or trl-dpo)");
  auto db = storage::Database::open(*db_path, storage::OpenMode::read_only);
  if (!db) throw std::runtime_error(db.error().what());
  config::Config config;
  if (auto path = args->get("config")) {
    config::LoadOptions load;
    load.require_queries = false;
    auto loaded = config::load_config(*path, {}, load);
    if (!loaded) throw std::runtime_error("configuration:\n" + loaded.error().message());
    config = std::move(*loaded);
  } else if (auto meta = storage::Meta::open(*db); meta) {
    // The thresholds the run was started with, from its configuration snapshot.
    if (auto snapshot = meta->get_json("config"); snapshot && *snapshot) {
      auto restored = config::from_json(**snapshot);
      if (!restored) throw std::runtime_error(*db_path + ": the stored configuration: " + restored.error());
      config = std::move(*restored);
    }
  }
  storage::PipelineStore store(*db);
  auto rows = run::export_rows(store, config, *format, *out);
  std::fprintf(stderr, "export: wrote %zu rows to %s%s\n", rows, out->c_str(),
               rows == 0 ? " (the run has produced no rows of this kind yet)" : "");
  return 0;
}

}  // namespace

Command export_command() { return {"export", "write a dataset (trl-sft, trl-dpo) from a run's database", kUsage, run}; }

}  // namespace autoif::cli
