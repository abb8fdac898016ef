// A small flag parser shared by the subcommands: `--name value`, `--name=value`, repeated
// flags and boolean switches. Anything it does not know is an error that names the flag.
#pragma once

#include <tl/expected.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace autoif::cli {

struct FlagSpec {
  std::string name;        // without the leading dashes
  bool takes_value = true; // false: a switch
  bool repeatable = false;
};

class ParsedArgs {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Integer flag in [min, max]; an error names the flag and the bad value.
  tl::expected<std::optional<long long>, std::string> get_int(const std::string& name, long long min,
                                                              long long max) const;

 private:
  friend tl::expected<ParsedArgs, std::string> parse_args(std::span<const std::string>,
                                                          std::span<const FlagSpec>);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

tl::expected<ParsedArgs, std::string> parse_args(std::span<const std::string> args,
                                                 std::span<const FlagSpec> spec);

// True when args ask for help (`-h` or `--help` anywhere).
bool wants_help(std::span<const std::string> args);

}  // namespace autoif::cli
