// Reading a run configuration: a TOML file plus `--set key=value` overrides, checked key by
// key against the registry (keys.h), into a Config.
//
// load_config succeeds only with a usable Config: every key known and of the right type and
// range, every required key present, relative paths (run.db, run.out_dir, seeds.file,
// queries.file, prompts.*) made absolute against the config file's folder (against the
// current directory for values given with --set), and the files those keys name present.
// Prompt override files are read once at load to check them (readable, no placeholder the
// prompt does not fill) but Config stores their PATHS; prompt_text() reads the text when a
// stage needs it.
//
// The load only checks that those files exist; what is in the seed file and the query pool is
// checked by check_input_files (input_files.h), which reads them through and which a run
// calls right after the load, before any model request.
//
// queries.file is required at load by default, so a run fails in the first second rather
// than after hours of stage 1; a caller that will stop before the query stage (`--until`)
// passes require_queries = false.
//
// Failure: a ConfigError listing every problem found (not just the first), in file order,
// each naming where it is (FILE:LINE:COLUMN, FILE, or the --set argument), the key, and what
// to do. Messages never contain the value of llm.*.api_key_env nor of an unknown key given
// with --set (people paste API keys there).
//
// Thread-safe: no shared state.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/config/input_files.h"  // check_input_files: the contents, after the load

namespace autoif::config {

struct ConfigProblem {
  std::string where;  // "FILE:LINE:COLUMN", "FILE" (no single place), or "--set KEY"
  std::string key;    // dotted key concerned; "" for syntax and file errors
  std::string what;   // what is wrong and what to do
};

struct ConfigError {
  std::vector<ConfigProblem> problems;  // at least one
  // One line per problem: "WHERE: WHAT".
  std::string message() const;
};

struct LoadOptions {
  bool require_queries = true;  // see above
};

tl::expected<Config, ConfigError> load_config(const std::string& path,
                                              std::span<const std::string> overrides = {},
                                              const LoadOptions& options = {});

// A stable snapshot of every setting, for the database and for stage fingerprints: one
// member per key ("crossval.case_threshold": 0.5), sorted; model keys once per role
// ("llm.supervisor.temperature"; the policy's are null when that role does not exist), as
// resolved after [llm] inheritance. Unset sampling fields are null. URLs lose any
// user:password@ part; API keys appear only as the NAME of their variable. Prompt overrides
// appear as paths: a fingerprint that must change with a prompt's wording hashes prompt_text().
nlohmann::json to_json(const Config& config);

// The Config a snapshot describes, for commands that work on a finished run's database
// without its config file (`autoif export`). Keys the snapshot lacks (an older version's)
// keep their defaults; keys it has that this version does not know are ignored. The policy
// role exists when llm.policy.model is not null. URLs come back without the credentials
// to_json removed. Error: the key whose value does not fit.
tl::expected<Config, std::string> from_json(const nlohmann::json& snapshot);

// The registry as Markdown for the README: a short note on tables and roles, then a table of
// key, type, default and meaning.
std::string keys_markdown();

// The text of prompt `name` ("augment", "verifier", "back_translate", "nli", "score"): the
// file config.prompts names, else the built-in one. Error: a message naming prompts.NAME and
// the file, or the unknown name.
tl::expected<std::string, std::string> prompt_text(const Config& config, std::string_view name);

}  // namespace autoif::config
