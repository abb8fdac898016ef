// `autoif export`: a dataset file from a run's database, readable while a run goes on.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/config/loader.h"
#include "pipeline/export/export.h"
#include "storage/database.h"
#include "storage/meta.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage =
    R"(usage: autoif export --db FILE --format FORMAT --out FILE [options]

Writes one dataset of a run as JSONL, streamed from the database and written atomically
(readable while the run goes on). Formats and options in detail: pipeline/export/FORMATS.md.

formats:
  trl-sft       {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}
  trl-dpo       {"prompt", "chosen", "rejected"}
  trl-kto       {"prompt", "completion", "label"}: true for SFT rows, false for failing responses
  alpaca-sft    {"instruction", "input", "output"}            (LLaMA-Factory)
  alpaca-dpo    {"instruction", "input", "chosen", "rejected"} (LLaMA-Factory)
  sharegpt-sft  {"conversations": [{"from": "human", ...}, {"from": "gpt", ...}]}
  sharegpt-dpo  {"conversations": [human turn], "chosen": {"from": "gpt", ...}, "rejected": {...}}
  rlvr          {"messages": [user turn], "ground_truth": "<JSON: functions, threshold>", "dataset": "autoif"}
  verifiers     {"instruction", "eval_func": [[source, accuracy], ...], "cases": [[input, expected], ...]}

options:
  --db FILE                the run's database
  --format F               one of the formats above
  --out FILE               where to write
  --config FILE            thresholds to apply (default: those the run was started with)
  --min-pass-rate X        SFT/KTO: good responses pass MORE than X of the functions (default:
                           verify.min_pass_rate); DPO: keep pairs whose chosen passes more than X;
                           rlvr: the pass threshold in the ground truth
  --min-score S            SFT/KTO: good responses score at least S (default: score.min_score);
                           DPO: keep query-level pairs whose chosen response scored at least S
  --split NAME:FRAC,...    e.g. train:0.9,test:0.1: files OUT.train.jsonl, OUT.test.jsonl, split by a
                           hash of the prompt (one prompt never lands in two splits)
  --limit N                write at most N rows in all
  --decontaminate FILE     drop rows sharing any 13-word sequence with a prompt of FILE (JSONL of
                           strings or {"prompt": ...} objects, such as IFEval's)
  --llamafactory-info DIR  alpaca-*/sharegpt-*: add or update the entry in DIR/dataset_info.json
  --dataset-name NAME      that entry's name (default: the out file's stem; .SPLIT added per split)
)";

double number_flag(const ParsedArgs& args, const std::string& name) {
  auto text = *args.get(name);
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("--" + name + ": '" + text + "' is not a number");
}

// The run's thresholds: --config, else the configuration snapshot stored in the database.
exports::Thresholds thresholds(const ParsedArgs& args, storage::Database& db, const std::string& db_path) {
  config::Config config;
  if (auto path = args.get("config")) {
    config::LoadOptions load;
    load.require_queries = false;
    auto loaded = config::load_config(*path, {}, load);
    if (!loaded) throw std::runtime_error("configuration:\n" + loaded.error().message());
    config = std::move(*loaded);
  } else if (auto meta = storage::Meta::open(db); meta) {
    if (auto snapshot = meta->get_json("config"); snapshot && *snapshot) {
      auto restored = config::from_json(**snapshot);
      if (!restored) throw std::runtime_error(db_path + ": the stored configuration: " + restored.error());
      config = std::move(*restored);
    }
  }
  return exports::thresholds_from(config);
}

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"db"},     {"format"},        {"out"},   {"config"},
                                    {"min-score"}, {"min-pass-rate"}, {"split"}, {"limit"},
                                    {"decontaminate"}, {"llamafactory-info"}, {"dataset-name"}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  auto db_path = args->get("db"), format_name = args->get("format"), out = args->get("out");
  if (!db_path || !format_name || !out) throw std::runtime_error("--db, --format and --out are required");

  exports::ExportRequest request;
  auto format = exports::parse_format(*format_name);
  if (!format)
    throw std::runtime_error("--format: unknown format '" + *format_name + "' (one of " + exports::format_names() +
                             ")");
  request.format = *format;
  request.out = *out;
  if (args->has("min-score")) request.min_score = number_flag(*args, "min-score");
  if (args->has("min-pass-rate")) request.min_pass_rate = number_flag(*args, "min-pass-rate");
  if (auto split = args->get("split")) {
    auto parts = exports::parse_split(*split);
    if (!parts) throw std::runtime_error(parts.error());
    request.split = std::move(*parts);
  }
  auto limit = args->get_int("limit", 1, 1000000000000LL);
  if (!limit) throw std::runtime_error(limit.error());
  if (*limit) request.limit = static_cast<std::size_t>(**limit);
  request.decontaminate = args->get("decontaminate");
  request.llamafactory_info = args->get("llamafactory-info");
  request.dataset_name = args->get("dataset-name");
  if (auto checked = exports::check_request(request); !checked) throw std::runtime_error(checked.error());

  std::error_code error;
  if (!std::filesystem::is_regular_file(*db_path, error))
    throw std::runtime_error(*db_path + ": no such database file (give the run's database: [run] db, autoif.db "
                             "by default)");
  auto db = storage::Database::open(*db_path, storage::OpenMode::read_only);
  if (!db) throw std::runtime_error(db.error().what());
  request.run = thresholds(*args, *db, *db_path);

  auto summary = exports::export_dataset(*db, request);
  if (!summary) throw std::runtime_error(summary.error());
  auto text = exports::summary_text(*summary);
  std::fwrite(text.data(), 1, text.size(), stderr);
  return 0;
}

}  // namespace

Command export_command() {
  return {"export", "write a dataset (TRL, LLaMA-Factory, RLVR, verifiers) from a run's database", kUsage, run};
}

}  // namespace autoif::cli
