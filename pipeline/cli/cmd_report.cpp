// `autoif report`: one self-contained HTML file about a run, from its database (read-only).
#include <cstdio>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/report/report.h"
#include "storage/database.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif report --db FILE --out FILE [--sample N]

Writes one HTML file about a run: the funnel chart, pass-rate and score histograms, sandbox
verdicts, drop reasons, tokens per stage, latency and errors, and a browsable sample of kept
and rejected rows with the reason. The file has no external assets and loads nothing from
the network; open it in any browser. Written atomically; the database is opened read-only.

options:
  --db FILE    the run's database
  --out FILE   the HTML file to write
  --sample N   kept rows shown, and rejected rows (default 50, at most 10000)
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"db"}, {"out"}, {"sample"}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  auto db_path = args->get("db"), out = args->get("out");
  if (!db_path || !out) throw std::runtime_error("--db and --out are required");
  report::ReportOptions options;
  auto sample = args->get_int("sample", 0, 10000);
  if (!sample) throw std::runtime_error(sample.error());
  if (*sample) options.sample_size = **sample;
  auto db = storage::Database::open(*db_path, storage::OpenMode::read_only);
  if (!db) throw std::runtime_error(db.error().what());
  if (auto written = report::write_report(*db, *out, options); !written) throw std::runtime_error(written.error());
  std::fprintf(stderr, "report: wrote %s\n", out->c_str());
  return 0;
}

}  // namespace

Command report_command() { return {"report", "write a self-contained HTML report of a run", kUsage, run}; }

}  // namespace autoif::cli
